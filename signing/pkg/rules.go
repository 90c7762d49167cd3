package pkg

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings this package produces, documented in
// docs/rules/pkg.md.
const (
	// RuleMalformed reports a xar header, table of contents or heap
	// reference that cannot be read as the format says.
	RuleMalformed signing.Rule = "pkg/malformed"
	// RuleTOCChecksumMismatch reports a table of contents whose hash is not
	// the checksum stored in the heap, or a checksum that is missing or of
	// the wrong algorithm or size.
	RuleTOCChecksumMismatch signing.Rule = "pkg/toc-checksum-mismatch"
	// RuleFileChecksumMismatch reports a file whose heap bytes (archived
	// checksum) or decoded bytes (extracted checksum) do not hash to what
	// the table of contents records.
	RuleFileChecksumMismatch signing.Rule = "pkg/file-checksum-mismatch"
	// RuleFileChecksumMissing reports a file with data but no archived
	// checksum, so the signature over the table of contents does not cover
	// its bytes.
	RuleFileChecksumMissing signing.Rule = "pkg/file-checksum-missing"
	// RuleWeakChecksum reports a checksum in MD5, which no longer binds
	// bytes against a forger.
	RuleWeakChecksum signing.Rule = "pkg/weak-checksum"
	// RuleUnownedHeapData reports heap bytes (or bytes after the heap) that
	// no file, checksum or signature of the table of contents owns.
	RuleUnownedHeapData signing.Rule = "pkg/unowned-heap-data"
	// RuleHeapOverlap reports two heap references that share bytes.
	RuleHeapOverlap signing.Rule = "pkg/heap-overlap"
	// RuleUnsafeName reports a file name that is empty, ".", "..", holds a
	// slash or a NUL, or repeats a sibling's name.
	RuleUnsafeName signing.Rule = "pkg/unsafe-name"
	// RuleUnsupportedEntry reports a table of contents entry that is not a
	// plain file, hard link or directory (symlinks, devices), a hard link
	// whose original is not found, or data whose encoding is unknown; it is
	// not opened.
	RuleUnsupportedEntry signing.Rule = "pkg/unsupported-entry"
	// RuleSignatureInvalid reports an RSA or CMS signature that does not
	// verify over the table of contents checksum.
	RuleSignatureInvalid signing.Rule = "pkg/signature-invalid"
	// RuleUntrustedChain reports an intact signature whose certificate does
	// not chain to a trusted root at the time that counts.
	RuleUntrustedChain signing.Rule = "pkg/untrusted-chain"
	// RuleNotInstallerCertificate reports a signing certificate that is not
	// an installer-signing one (Developer ID Installer, or Mac App Store
	// installer): no package-signing extended key usage.
	RuleNotInstallerCertificate signing.Rule = "pkg/not-installer-certificate"
	// RuleNotDistributionCertificate reports a package signed with a Mac
	// App Store installer certificate (3rd Party Mac Developer Installer),
	// which the installer and Gatekeeper refuse outside the App Store.
	RuleNotDistributionCertificate signing.Rule = "pkg/not-distribution-certificate"
	// RuleSignerMismatch reports an RSA and a CMS signature of one package
	// made with different certificates.
	RuleSignerMismatch signing.Rule = "pkg/signer-mismatch"
	// RuleUnusedCertificate reports a certificate in a signature's KeyInfo
	// or CMS that no verified chain uses.
	RuleUnusedCertificate signing.Rule = "pkg/unused-certificate"
	// RuleUnownedSignatureData reports bytes of a CMS signature that no
	// verified structure owns: unsigned attributes other than the one
	// timestamp token read, a timestamp token's unused certificates and
	// unsigned attributes, a timestamp that does not verify (all of it,
	// past what a real one that failed holds), or parser-level oddities.
	// Nothing signs them, so anyone can change them in a signed package:
	// large enough to carry a payload, they make the signature invalid.
	RuleUnownedSignatureData signing.Rule = "pkg/unowned-signature-data"
	// RulePayloadMalformed reports a Payload or Scripts archive (gzip,
	// pbzx or bzip2 compressed cpio, odc or newc) that cannot be read, or
	// whose entries are unsafe; its contents were not checked.
	RulePayloadMalformed signing.Rule = "pkg/payload-malformed"
	// RulePayloadTooLarge reports a Payload or Scripts archive that
	// decompresses to more than the limit; its contents were not checked.
	RulePayloadTooLarge signing.Rule = "pkg/payload-too-large"
	// RuleInstallScript lists an install script (preinstall, postinstall,
	// …): code the installer runs as root.
	RuleInstallScript signing.Rule = "pkg/install-script"
	// RuleNotarizationTicketUnverified reports a notarization ticket
	// stapled after the archive that parses; Apple's signature on it is not
	// verified.
	RuleNotarizationTicketUnverified signing.Rule = "pkg/notarization-ticket-unverified"
	// RuleNotarizationTicketMalformed reports stapler trailers after the
	// archive that do not lead back to a terminator, or a stapled ticket
	// that does not parse: bytes no signature covers.
	RuleNotarizationTicketMalformed signing.Rule = "pkg/notarization-ticket-malformed"
	// RuleNotarizationTicketLayout reports a stapled ticket whose lengths
	// disagree with the layout shipgate reads.
	RuleNotarizationTicketLayout signing.Rule = "pkg/notarization-ticket-layout"
	// RuleNotarizationTicketMismatch reports a stapled ticket that does not
	// name the package's table of contents checksum: a ticket for another
	// package.
	RuleNotarizationTicketMismatch signing.Rule = "pkg/notarization-ticket-mismatch"
	// RuleDistributionMalformed reports a product archive's Distribution
	// that cannot be read, or that XML readers may read differently
	// (a document type declaration, namespaces, a repeated attribute or
	// options element, split pkg-ref text, one pkg-ref id naming two
	// packages): the packages it installs were not checked against it.
	RuleDistributionMalformed signing.Rule = "pkg/distribution-malformed"
	// RuleDistributionExternalPackage reports a pkg-ref of the
	// Distribution that does not name a component package of this archive
	// ("#name.pkg"): a file: or http(s): URL, a path beside the package, or
	// an absent entry. Installer installs code from there that shipgate
	// never saw.
	RuleDistributionExternalPackage signing.Rule = "pkg/distribution-external-package"
	// RuleDistributionUnreferencedComponent reports a component package of
	// the archive that no pkg-ref of the Distribution names; its Payload
	// and Scripts are still walked.
	RuleDistributionUnreferencedComponent signing.Rule = "pkg/distribution-unreferenced-component"
	// RuleDistributionChoiceWithoutPackage reports a choice of the
	// Distribution whose pkg-ref names no package: no pkg-ref of its id
	// gives a location, so what Installer installs for the choice is not
	// a component package shipgate checked.
	RuleDistributionChoiceWithoutPackage signing.Rule = "pkg/distribution-choice-without-package"
	// RuleDistributionExternalScripts reports a Distribution whose options
	// set allow-external-scripts, or whose JavaScript calls system.run or
	// system.runOnce: programs run at install time, outside the package.
	RuleDistributionExternalScripts signing.Rule = "pkg/distribution-external-scripts"
	// RuleDistributionScript lists the Installer JavaScript of the
	// Distribution (script elements, installation-check, volume-check).
	RuleDistributionScript signing.Rule = "pkg/distribution-script"
)
