// Package codesign verifies Apple code signatures in Mach-O files, universal
// (fat) files and .app/.framework bundles, and says exactly who signed each
// slice and whether every byte still matches.
//
// [Verify] reads a thin or universal file through an [io.ReaderAt] once, in
// order: for every slice it locates LC_CODE_SIGNATURE (which must be the last
// data of __LINKEDIT, the last segment), parses the embedded SuperBlob, and
// for every CodeDirectory (the primary in slot 0 and the alternates from
// 0x1000) recomputes each code page hash over [0, codeLimit) with that
// directory's page size and hash type (SHA-1, SHA-256, SHA-256 truncated,
// SHA-384), each bound special slot (requirements, entitlements, DER
// entitlements; Info.plist and CodeResources in a bundle) and the 20-byte
// cdhash. A directory with a scatter vector, which would hash other ranges
// than those pages, or of a version past 0x2F000, the last macOS accepts,
// is not read further and reported (codesign/unsupported-code-directory).
// Signatures with a CMS blob are then checked as macOS does: the
// messageDigest against the primary CodeDirectory, Apple's cdhashes
// attributes (1.2.840.113635.100.9.1 and .9.2) against every CodeDirectory,
// the signer's signature, the chain to the caller's [signing.TrustStore]
// (Apple's roots are [signing.EmbeddedApple]), the Developer ID markers,
// the CodeDirectory's team ID against the leaf's subject OU (the last one, as macOS reads it), and an RFC 3161
// timestamp, which when verified becomes the time the chain is checked at.
// What XNU's cs_validate_csblob refuses in a Mach-O is never valid: a
// CodeDirectory page size other than 4 KiB (or 16 KiB in an arm64 slice),
// page size 0 included, and two CodeDirectories of one hash type
// (codesign/malformed; see kernel.go).
// A CMS signer whose digest or signature algorithm is MD5 is invalid
// (codesign/signature-invalid), as in signing/authenticode and signing/pkg:
// an MD5 collision gives two CodeDirectories one signature. Chains through
// an MD5-signed certificate are refused, as macOS's basic X.509 policy does.
// Every byte of the CMS is attributed: bytes no verified field owns (crls,
// non-certificate entries, odd algorithm parameters, unsigned attributes
// other than the timestamp, the same inside the token) and certificates no
// verified chain uses are reported at their file offsets.
//
// Each slice gets one [signing.Signature] with a status: valid, untrusted,
// adhoc (CS_ADHOC, no identity: intact but vouched for by nobody), unsigned,
// invalid or malformed. Integrity and trust are separate: a tampered page
// is invalid whoever signed it, and an intact signature by an unknown
// signer is untrusted. Problems are [signing.Finding] values with the rule
// IDs listed as Rule* constants and documented in docs/rules/codesign.md.
//
// Every byte of the signature area (LC_CODE_SIGNATURE's dataoff to
// dataoff+datasize) is accounted for: the SuperBlob header and index, a
// CodeDirectory, the CMS blob, a blob every CodeDirectory binds by a
// matching special-slot hash, or zero padding after the SuperBlob. Anything
// else — a blob in an unknown or unbound slot, a duplicate slot, blobs that
// overlap, holes between blobs, data after the SuperBlob — is a finding
// with its offset, and non-zero bytes no hash covers leave the slice
// invalid.
//
// A hostile file may ask for far more work than its size: a universal
// header listing one slice many times, or overlapping slices. Repeated fat
// entries are verified once; everything else is charged to a work budget
// proportional to the file's size (codesign/work-budget-exceeded).
//
// Universal files are read without go-macho's fat reader, which rejects
// 64-bit fat headers (0xcafebabf): slices must lie inside the file and not
// overlap, and bytes outside every slice other than zero alignment padding
// are reported, since no signature covers them. go-macho reads the segment
// commands; the signature structures are parsed here, so one malformed blob
// is a finding and the rest of the file is still checked.
//
// [VerifyBundle] checks a bundle's main executable with its Info.plist and
// _CodeSignature/CodeResources bound, the CodeResources seal (files2 SHA-256
// hashes, nested code by cdhash, symlinks by target) against the bundle's
// files, and every Mach-O and nested bundle inside it as separate items.
// Files the seal cannot cover are reported too: anything in _CodeSignature
// but CodeResources, and anything outside the part the signature seals (an
// app's Contents, a framework's current version); a framework's other
// versions that carry a seal are verified as bundles of their own, signed
// as the current one is, as macOS verifies them.
//
// [VerifyEmbedded] checks a SuperBlob kept in a file that is not a Mach-O,
// as a disk image keeps one (package dmg): its CodeDirectories hash every
// byte before the signature, and special slots may bind data the caller
// passes (a disk image's koly trailer in slot 6).
//
// Each signature's designated requirement (the Requirements blob's entry
// of type 3) is parsed, printed in Apple's text form as
// `codesign -d -r-` prints it, and evaluated against the verified facts
// as `codesign --verify` does: a signature that does not satisfy its own
// requirement is invalid (codesign/designated-requirement-unsatisfied).
// Terms that cannot be decided offline (notarized, legacy, trust settings,
// named requirements) are unknown, never satisfied. [CompileRequirement]
// reads the text form, and [Slice.Satisfies] evaluates any requirement
// against a verified slice, as `codesign --verify -R` does. Entitlement
// terms read the XML entitlements, as codesign does, and are decided only
// when those say what the DER entitlements macOS grants say; no Go library
// decodes that DER form, so a small decoder here (over cryptobyte) does.
//
// A stapled notarization ticket (a bundle's Contents/CodeResources, or a
// blob wrapper in the ticket slot 0x10002 of a disk image's or Mach-O's
// SuperBlob) is parsed by package notary and searched for the code's
// cdhashes; the facts are each signature's Notarization.
//
// Not checked: certificate revocation (OCSP), Apple's signature on
// notarization tickets (undocumented), the requirements CodeResources
// records for nested code, launch constraints' contents, and detached
// signatures of resource-only bundles.
package codesign
