package authenticode

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings Verify reports, documented in
// docs/rules/authenticode.md.
const (
	// RuleCertTablePadding: bytes after a PKCS#7 blob inside its
	// WIN_CERTIFICATE beyond fewer than 8 zero bytes (CVE-2013-3900).
	RuleCertTablePadding signing.Rule = "authenticode/cert-table-padding"
	// RuleDataAfterCertTable: the certificate table does not end the file.
	RuleDataAfterCertTable signing.Rule = "authenticode/data-after-cert-table"
	// RuleCertTableInvalid: the table or an entry breaks the WIN_CERTIFICATE
	// rules (revision, type, alignment, lengths, bounds); a warning when the
	// security directory entry gives an address with Size 0.
	RuleCertTableInvalid signing.Rule = "authenticode/cert-table-invalid"
	// RuleMalformedSignature: a signature that cannot be parsed as Authenticode.
	RuleMalformedSignature signing.Rule = "authenticode/malformed-signature"
	// RuleUnsignedAttributeData: unknown unsigned attributes (their values,
	// their types) and marker attributes that are not empty.
	RuleUnsignedAttributeData signing.Rule = "authenticode/unsigned-attribute-data"
	// RuleDigestMismatch: the image digest differs from the signed one.
	RuleDigestMismatch signing.Rule = "authenticode/digest-mismatch"
	// RulePageHashMismatch: a page hash differs from the signed one.
	RulePageHashMismatch signing.Rule = "authenticode/page-hash-mismatch"
	// RuleSignatureInvalid: messageDigest, contentType or the signature over
	// the signed attributes does not verify.
	RuleSignatureInvalid signing.Rule = "authenticode/signature-invalid"
	// RuleUntrustedChain: the signer's chain does not reach a trusted root at
	// the time that counts, or the leaf may not sign code.
	RuleUntrustedChain signing.Rule = "authenticode/untrusted-chain"
	// RuleTimestampInvalid: a timestamp is present but does not verify.
	RuleTimestampInvalid signing.Rule = "authenticode/timestamp-invalid"
	// RuleTimestampsDisagree: a signature's timestamps (RFC 3161 tokens
	// and legacy countersignatures, any number of each) disagree (one
	// fails, or their times differ).
	RuleTimestampsDisagree signing.Rule = "authenticode/timestamps-disagree"
	// RuleChecksumMismatch: the PE checksum is set and wrong (an error in
	// a native-subsystem image, a driver, which Windows then does not
	// load; a warning otherwise).
	RuleChecksumMismatch signing.Rule = "authenticode/checksum-mismatch"
	// RuleWeakAlgorithm: MD5 or SHA-1 in a digest, signature or certificate.
	// MD5 is an error, and MD5 in a digest or the signer's signature makes
	// the signature invalid (see CheckDigestAlgorithm).
	RuleWeakAlgorithm signing.Rule = "authenticode/weak-algorithm"
	// RuleNonstandardIndirectDataType: SpcIndirectDataContent names
	// 1.3.6.1.4.1.311.2.1.21 instead of SpcPeImageData as its inner type
	// (Debian's fwupdx64.efi.signed); the digest is verified as usual.
	RuleNonstandardIndirectDataType signing.Rule = "authenticode/nonstandard-indirect-data-type"
	// RuleSectionOverlapsCertTable: a section's file data, as the loader maps
	// it, reaches into the certificate table, which the digest skips.
	RuleSectionOverlapsCertTable signing.Rule = "authenticode/section-overlaps-cert-table"
	// RuleSectionOverlap: sections' file data overlap each other or the
	// headers, which no linker produces.
	RuleSectionOverlap signing.Rule = "authenticode/section-overlap"
	// RuleUnownedSignatureData: bytes inside a PKCS#7 SignedData (or a
	// timestamp in it) that no verified field owns: crls, certificate entries
	// that are not certificates, algorithm parameters other than NULL, copies
	// of a timestamp the signature already carries.
	RuleUnownedSignatureData signing.Rule = "authenticode/unowned-signature-data"
	// RuleUnusedCertificate: an embedded certificate that no verified chain
	// uses.
	RuleUnusedCertificate signing.Rule = "authenticode/unused-certificate"
	// RuleDuplicateSignature: a signature (a nested one, or another
	// WIN_CERTIFICATE entry) that is a copy of an earlier one of the file:
	// the same key's signature over the same signed attributes.
	RuleDuplicateSignature signing.Rule = "authenticode/duplicate-signature"

	// RuleScriptDigestMismatch: a script's digest, recomputed as its
	// subject interface package does, differs from the signed one.
	RuleScriptDigestMismatch signing.Rule = "script/digest-mismatch"
	// RuleScriptMalformedSignature: a script's signature block or the
	// signature in it cannot be parsed as Authenticode for that script kind.
	RuleScriptMalformedSignature signing.Rule = "script/malformed-signature"
	// RuleScriptContentAfterSignature: bytes follow the signature block of
	// a .ps1, .psm1, .psd1, .ps1xml, .cdxml, .psc1, .mof, .js or .vbs; no
	// signature covers them.
	RuleScriptContentAfterSignature signing.Rule = "script/content-after-signature"
	// RuleScriptSignatureTrailingData: the signature block decodes to bytes
	// after the PKCS#7 SignedData.
	RuleScriptSignatureTrailingData signing.Rule = "script/signature-trailing-data"
	// RuleScriptInvalidText: the hashed text of a script read as UTF-8
	// holds bytes that are not UTF-8; the digest covers U+FFFD for them,
	// not the bytes.
	RuleScriptInvalidText signing.Rule = "script/invalid-text-encoding"
	// RuleMSIDigestMismatch: an MSI database's digest over its streams and
	// storages differs from the signed one.
	RuleMSIDigestMismatch signing.Rule = "msi/digest-mismatch"
	// RuleMSIMetadataDigestMismatch: the MsiDigitalSignatureEx stream does
	// not hold the digest of the streams' metadata.
	RuleMSIMetadataDigestMismatch signing.Rule = "msi/metadata-digest-mismatch"
	// RuleMSIMalformedSignature: the DigitalSignature stream cannot be
	// parsed as an MSI Authenticode signature.
	RuleMSIMalformedSignature signing.Rule = "msi/malformed-signature"
	// RuleMSISignatureTrailingData: the DigitalSignature stream holds bytes
	// after its PKCS#7 SignedData.
	RuleMSISignatureTrailingData signing.Rule = "msi/signature-trailing-data"
	// RuleMSIUnownedData: non-zero bytes of the compound file that no
	// stream, table or header owns.
	RuleMSIUnownedData signing.Rule = "msi/unowned-data"
	// RuleMSIUnsignedMetadata: a signed MSI without MsiDigitalSignatureEx,
	// whose digest covers no stream name or size: a note, and a warning,
	// an error once their names could carry a payload, for empty streams
	// and storages, which such a digest does not see at all, and for
	// streams the database does not refer to, whose names it does not see
	// (those of an unsigned MSI, which a catalog lists by such a digest,
	// too).
	RuleMSIUnsignedMetadata signing.Rule = "msi/unsigned-metadata"
	// RuleMSIUnhashedMetadata: a storage's state bits or times that no
	// digest covers (all of them without MsiDigitalSignatureEx, the root's
	// modification time with it) hold what no writer puts there (not zero,
	// not a FILETIME between 1980 and 2100): a warning, an error once they
	// could carry a payload together.
	RuleMSIUnhashedMetadata signing.Rule = "msi/unhashed-metadata"
	// RuleCABDigestMismatch: a cabinet's digest differs from the signed one.
	RuleCABDigestMismatch signing.Rule = "cab/digest-mismatch"
	// RuleCABMalformedSignature: a cabinet's signature locator or the
	// signature cannot be parsed as a cabinet's Authenticode signature.
	RuleCABMalformedSignature signing.Rule = "cab/malformed-signature"
	// RuleCABDataAfterSignature: bytes follow a signed cabinet's signature.
	RuleCABDataAfterSignature signing.Rule = "cab/data-after-signature"
	// RuleCABDataAfterCabinet: bytes follow the cabinet's cbCabinet and
	// belong to no part of it.
	RuleCABDataAfterCabinet signing.Rule = "cab/data-after-cabinet"
	// RuleCABSignatureTrailingData: the signature area holds bytes after
	// the PKCS#7 SignedData.
	RuleCABSignatureTrailingData signing.Rule = "cab/signature-trailing-data"
	// RuleCABUnhashedHeaderData: header fields the cabinet digest skips
	// hold unexpected values.
	RuleCABUnhashedHeaderData signing.Rule = "cab/unhashed-header-data"
	// RuleMSIXDigestMismatch: the APPX digests (package records, central
	// directory, content types, block map, code integrity catalog) differ
	// from the signed ones.
	RuleMSIXDigestMismatch signing.Rule = "msix/digest-mismatch"
	// RuleMSIXMalformedSignature: AppxSignature.p7x cannot be parsed as an
	// APPX Authenticode signature.
	RuleMSIXMalformedSignature signing.Rule = "msix/malformed-signature"
	// RuleMSIXSignatureTrailingData: AppxSignature.p7x holds bytes after
	// its PKCS#7 SignedData.
	RuleMSIXSignatureTrailingData signing.Rule = "msix/signature-trailing-data"
	// RuleMSIXMalformedPackage: a package part or zip record is missing or
	// cannot be read (no block map, no content types, a local header that
	// disagrees with the central directory, overlapping records).
	RuleMSIXMalformedPackage signing.Rule = "msix/malformed-package"
	// RuleMSIXUnsignedData: bytes of the package that no APPX digest covers.
	RuleMSIXUnsignedData signing.Rule = "msix/unsigned-data"
	// RuleMSIXUnownedData: bytes between the files' records that the
	// package digest covers but no file owns.
	RuleMSIXUnownedData signing.Rule = "msix/unowned-data"
	// RuleMSIXBlockMapMismatch: a file's size or a block's hash differs
	// from AppxBlockMap.xml.
	RuleMSIXBlockMapMismatch signing.Rule = "msix/block-map-mismatch"
	// RuleMSIXFileNotInBlockMap: a file of the package is not listed in
	// AppxBlockMap.xml.
	RuleMSIXFileNotInBlockMap signing.Rule = "msix/file-not-in-block-map"
	// RuleMSIXBlockMapFileMissing: AppxBlockMap.xml lists a file the
	// package does not hold.
	RuleMSIXBlockMapFileMissing signing.Rule = "msix/block-map-file-missing"
	// RuleMSIXPublisherMismatch: the manifest's Identity Publisher is not
	// the signer's subject (or cannot be read); Windows refuses the package.
	RuleMSIXPublisherMismatch signing.Rule = "msix/publisher-mismatch"
)

// Names of the Authenticode-specific checks in a Signature's Checks. The
// checks both formats run (digest, page hashes, signature, signature data,
// chain, EKU, timestamp) use the names in package signing, such as
// [signing.CheckChain].
const (
	// CheckCertTable: the WIN_CERTIFICATE table and this signature's entry
	// follow the rules (revision, type, alignment, bounds, nothing after).
	CheckCertTable signing.CheckName = "cert-table"
	// CheckSignedData: the entry holds a PKCS#7 SignedData that parses.
	CheckSignedData signing.CheckName = "signed-data"
	// CheckContentType: the signed content is SpcIndirectDataContent of
	// SpcPeImageData, and the contentType attribute says so.
	CheckContentType signing.CheckName = "content-type"
	// CheckIndirectDataType: SpcIndirectDataContent names a nonstandard
	// inner type (a warning; see RuleNonstandardIndirectDataType).
	CheckIndirectDataType signing.CheckName = "indirect-data-type"
	// CheckSignerCount: the SignedData has exactly one SignerInfo.
	CheckSignerCount signing.CheckName = "signer-count"
	// CheckMessageDigest: the messageDigest attribute matches the signed
	// SpcIndirectDataContent.
	CheckMessageDigest signing.CheckName = "message-digest"
	// CheckUnsignedAttributes: unknown unsigned attributes carry no data.
	CheckUnsignedAttributes signing.CheckName = "unsigned-attributes"
	// CheckChecksum: the PE checksum is unset or correct (a warning only).
	CheckChecksum signing.CheckName = "checksum"
	// CheckSignatureCount: the file holds no more signatures than are
	// examined (64, nested ones included); added only when it does.
	CheckSignatureCount signing.CheckName = "signature-count"
	// CheckDistinct: the signature is no copy of an earlier one of the
	// file; added only when it is one.
	CheckDistinct signing.CheckName = "distinct-signature"
	// CheckCTL: a catalog's certificate trust list of members parses.
	CheckCTL signing.CheckName = "ctl"
	// CheckSIP: a script's or MSI's SpcSipInfo names the subject interface
	// package of its format.
	CheckSIP signing.CheckName = "sip"
	// CheckPublisher: an MSIX or APPX manifest's Identity Publisher is the
	// signer's subject.
	CheckPublisher signing.CheckName = "publisher"
	// CheckAppxDigests: added, failed, when the package's digests (the
	// APPX blob of AppxSignature.p7x) differ from the computed ones; it
	// names the parts whose digests differ.
	CheckAppxDigests signing.CheckName = "appx-digests"
	// CheckDigestAlgorithm: added, failed, when MD5 binds the signed
	// content (the Authenticode digest, the signer's digest or signature
	// algorithm, a catalog's member digests); the signature is then
	// invalid, since an MD5 collision forges that content.
	CheckDigestAlgorithm signing.CheckName = "digest-algorithm"
)

// Rule IDs of the findings VerifyCatalog reports, documented in
// docs/rules/catalog.md.
const (
	// RuleCatalogDigestMismatch: the CTL's digest differs from the signed
	// messageDigest: the member list was changed after signing.
	RuleCatalogDigestMismatch signing.Rule = "catalog/digest-mismatch"
	// RuleCatalogMalformedSignature: the catalog's signature cannot be
	// parsed as Authenticode over a CTL.
	RuleCatalogMalformedSignature signing.Rule = "catalog/malformed-signature"
	// RuleCatalogDataAfterSignature: bytes follow the catalog's SignedData.
	RuleCatalogDataAfterSignature signing.Rule = "catalog/data-after-signature"
	// RuleCatalogDuplicateMember: a member is listed twice with the same
	// digest.
	RuleCatalogDuplicateMember signing.Rule = "catalog/duplicate-member"
	// RuleCatalogConflictingMember: one member tag, or one file name, is
	// given two different digests.
	RuleCatalogConflictingMember signing.Rule = "catalog/conflicting-member"
	// RuleCatalogTagMismatch: a member's tag is written as a digest other
	// than the member's own.
	RuleCatalogTagMismatch signing.Rule = "catalog/member-tag-mismatch"
)
