package verify

import (
	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// Names of the checks of a catalog signature (signing.FormatCatalog) that
// verify adds to a file covered by a --catalog.
const (
	// CheckCatalogMember: the file's digest is a member of the catalog.
	CheckCatalogMember signing.CheckName = "catalog-member"
	// CheckCatalogSignature: the catalog's own signature is valid.
	CheckCatalogSignature signing.CheckName = "catalog-signature"
)

// Rule IDs of the findings about files and archives of a release, documented
// in docs/rules/verify.md.
const (
	// RuleMalformed: a file of a native kind cannot be parsed, or an
	// archive entry is inconsistent.
	RuleMalformed = release.RuleMalformed
	// RuleUnreadable: a file of the release cannot be read.
	RuleUnreadable = release.RuleUnreadable
	// RuleSymlinkEscape: a symbolic link points out of the release or archive.
	RuleSymlinkEscape = release.RuleSymlinkEscape
	// RuleInsecurePath: an archive entry's name is not a relative path
	// inside the archive, or goes through one of the archive's symbolic
	// links.
	RuleInsecurePath = release.RuleInsecurePath
	// RuleDuplicateEntry: an archive holds two entries of one name.
	RuleDuplicateEntry = release.RuleDuplicateEntry
	// RuleNameCollision: an archive (zip, tar, 7-Zip; a cabinet, MSI or NSIS installer as
	// Windows compares names) holds entries that are one once extracted on
	// APFS, HFS+ or NTFS (Windows): names that differ only in
	// case, Unicode normalization, characters HFS+ ignores or trailing
	// dots and spaces, an 8.3 short name Windows may give the other
	// (PROGRA~1 and Program Files), or a file and a folder of such names.
	// A zip entry without the UTF-8 flag is named in code page 437, as
	// Windows extractors read it.
	RuleNameCollision = release.RuleNameCollision
	// RuleSetuid: an archive entry (tar, zip, 7-Zip, an installer package's
	// payload), a file of a release folder or a file of a disk image's
	// volume has the set-user-ID or set-group-ID bit, which extractors
	// running as root, and macOS Installer, keep.
	RuleSetuid = release.RuleSetuid
	// RuleWorldWritable: an executable file of a tar, a zip, a 7-Zip archive, a release
	// folder or a disk image that every user may write (its mode), or
	// that a tar entry's ACL lets another user write (a warning).
	RuleWorldWritable = release.RuleWorldWritable
	// RuleZipInvalid: a zip archive's structures are inconsistent.
	RuleZipInvalid = release.RuleZipInvalid
	// RuleZipUnlisted: a zip holds a local entry its central directory does
	// not list.
	RuleZipUnlisted = release.RuleZipUnlisted
	// RuleZipTrailing: bytes of a zip archive that none of its end
	// structures owns: after the end record's comment, or between the
	// central directory and the end records.
	RuleZipTrailing = release.RuleZipTrailing
	// RuleWindowsAlias: a file whose name Windows rewrites when it creates
	// or opens it.
	RuleWindowsAlias signing.Rule = "file/windows-alias"
	// RuleLinkKindMismatch: a link whose name makes it a script (a .ps1,
	// .vbs, .wsf…, or a .command outside an Apple bundle) reaches a file
	// checked as another kind.
	RuleLinkKindMismatch signing.Rule = "file/link-kind-mismatch"
	// RuleBundlePackage: the payload archive or an install script of a
	// bundle-style installer package (X.pkg/Contents/Archive.pax.gz,
	// Contents/Resources/postflight…), which Installer on macOS 14 and
	// earlier runs and no signature covers.
	RuleBundlePackage signing.Rule = "file/bundle-package"
	// RuleUncheckedArchive: a container format that shipgate does not open,
	// so that the files inside it are not checked.
	RuleUncheckedArchive = container.RuleUncheckedArchive
	// RuleUpdateNotInRelease: an update feed of the release (a
	// Squirrel.Windows RELEASES file, an electron-updater latest.yml, a
	// Squirrel.Mac RELEASES.json)
	// lists a package that is not the release's file beside it: a URL, a
	// file it does not hold, or one of another size or digest (SHA-1,
	// SHA-512, SHA-256).
	RuleUpdateNotInRelease signing.Rule = "file/update-not-in-release"
	// RuleUpdatePublisher: a Windows application's electron-updater
	// settings (resources/app-update.yml) give no publisherName, so that
	// updates are installed without their signature checked, or one that
	// names no signer of the release's executables.
	RuleUpdatePublisher signing.Rule = "file/update-publisher"
	// RuleUpdateInsecureURL: an application's electron-updater settings
	// (app-update.yml) name an update server reached without TLS.
	RuleUpdateInsecureURL signing.Rule = "file/update-insecure-url"
	// RuleBlocklistWarning: a blocklist the verification used loaded with
	// a warning (stale, fetched in the future, a file its lock does not
	// name, an entry that was skipped), documented in
	// docs/rules/blocklist.md.
	RuleBlocklistWarning signing.Rule = "blocklist/warning"
)

// Rule IDs of opening cabinets and Windows Installer databases, documented
// in docs/rules/cab.md and docs/rules/msi.md; internal/container, the
// walker verify and sbom share, reports them.
const (
	// RuleCABNotOpened: files of a cabinet that shipgate does not
	// decompress (Quantum folders, files continued across a set whose
	// cabinets are not all beside it, or disagree).
	RuleCABNotOpened = container.RuleCABNotOpened
	// RuleCABVersion: a cabinet whose header gives a version other than
	// 1.3; it is read as a 1.3 cabinet.
	RuleCABVersion = container.RuleCABVersion
	// RuleMSIMissingStream: a table of an MSI refers to a stream (an
	// embedded cabinet, a Binary table entry) or a storage (a type 7
	// custom action's nested database) the database does not hold.
	RuleMSIMissingStream = container.RuleMSIMissingStream
	// RuleMSIUnreferencedData: data in an MSI that Windows Installer does
	// not install: a stream no table refers to, a cabinet file the File
	// table does not list.
	RuleMSIUnreferencedData = container.RuleMSIUnreferencedData
	// RuleMSICabinetTrailing: bytes of an MSI's embedded cabinet stream
	// past the cabinet, which Windows Installer does not extract.
	RuleMSICabinetTrailing = container.RuleMSICabinetTrailing
	// RuleMSIMissingCabinet: an MSI's Media table names an external
	// cabinet the release does not hold beside the MSI.
	RuleMSIMissingCabinet = container.RuleMSIMissingCabinet
	// RuleMSIFileTableMismatch: a file of an MSI's cabinet whose size is
	// not the File table's FileSize, or whose MD5 is not the MsiFileHash
	// table's.
	RuleMSIFileTableMismatch = container.RuleMSIFileTableMismatch
	// RuleMSIEmbeddedTransform: a storage of an MSI that is an embedded
	// transform, listed; its streams are checked as files, the changes
	// it makes to the tables are not.
	RuleMSIEmbeddedTransform = container.RuleMSIEmbeddedTransform
	// RuleMSIUnknownStorage: a storage of an MSI that is neither a
	// database nor a transform and that no custom action installs; its
	// streams are checked as files.
	RuleMSIUnknownStorage = container.RuleMSIUnknownStorage
)

// Rule IDs of opening installers that are PE files (NSIS, Squirrel),
// documented in docs/rules/nsis.md; internal/container reports them.
const (
	// RuleNSISNotOpened: an NSIS installer whose data shipgate does not
	// decompress (NSIS's bzip2, LZMA behind the x86 branch filter).
	RuleNSISNotOpened = container.RuleNSISNotOpened
	// RuleNSISSharedData: an NSIS installer extracts one data block to
	// more than one path; it is checked under the first.
	RuleNSISSharedData = container.RuleNSISSharedData
	// RuleNSISTrailingData: bytes after an NSIS installer's data, which
	// the installer does not read.
	RuleNSISTrailingData = container.RuleNSISTrailingData
	// RuleNSISHiddenData: an NSIS instruction extracts from an offset
	// where no data block starts, inside another block's bytes.
	RuleNSISHiddenData = container.RuleNSISHiddenData
	// RuleNSISDownload: an NSIS installer carries a plugin that downloads
	// files while it installs; what it downloads was not checked.
	RuleNSISDownload = container.RuleNSISDownload
	// RuleBurnDownload: a WiX Burn bundle downloads payloads while it
	// installs; what it downloads was not checked.
	RuleBurnDownload = container.RuleBurnDownload
	// RuleSFXCommand: a command line a 7-Zip self-extractor runs once
	// its archive is extracted.
	RuleSFXCommand = container.RuleSFXCommand
)

// Rule IDs of opening IExpress self-extractors, documented in
// docs/rules/iexpress.md; internal/container reports them.
const (
	// RuleIExpressCommand: a command line an IExpress self-extractor runs
	// once its cabinet is extracted (RUNPROGRAM, POSTRUNPROGRAM).
	RuleIExpressCommand = container.RuleIExpressCommand
	// RuleIExpressFileSizes: an IExpress stub's FILESIZES resource that
	// wextract refuses, or whose total is not its cabinet's.
	RuleIExpressFileSizes = container.RuleIExpressFileSizes
	// RuleIExpressUpdatedFile: a file an IExpress stub carries in an
	// UPDFILE resource, outside its cabinet.
	RuleIExpressUpdatedFile = container.RuleIExpressUpdatedFile
	// RuleIExpressCabinetTrailing: bytes of an IExpress CABINET resource
	// past the cabinet's own length.
	RuleIExpressCabinetTrailing = container.RuleIExpressCabinetTrailing
)

// RuleAppInstallerDownload: an App Installer file (.appinstaller) names
// MSIX packages Windows downloads and installs from their URIs, documented
// in docs/rules/msix.md; what it downloads was not checked.
const RuleAppInstallerDownload signing.Rule = "msix/app-installer-download"

// Rule IDs of ClickOnce manifests, documented in docs/rules/clickonce.md.
const (
	// RuleClickOnceDownload: a ClickOnce manifest (.application, .vsto,
	// or an application's .manifest) names a deployment provider or files
	// elsewhere than in the release beside it, or was not read: ClickOnce
	// installs what was not checked.
	RuleClickOnceDownload signing.Rule = "clickonce/download"
	// RuleClickOnceHashMismatch: a file a ClickOnce manifest names beside
	// it has another size or hash than the manifest's, or a hash shipgate
	// did not compare.
	RuleClickOnceHashMismatch signing.Rule = "clickonce/hash-mismatch"
)

// Rule IDs of catalog membership, documented in docs/rules/catalog.md.
const (
	// RuleCatalogNotVerified: a catalog given with --catalog does not
	// verify, or an unsigned file is a member only of catalogs that do not:
	// they vouch for nothing.
	RuleCatalogNotVerified signing.Rule = "catalog/not-verified"
	// RuleCatalogHashMismatch: a verified catalog names a file of the
	// release with a digest other than the file's.
	RuleCatalogHashMismatch signing.Rule = "catalog/hash-mismatch"
)

// Rule IDs of the policy's judgements, documented in docs/rules/verify.md.
const (
	// RuleUnsigned: native code without a signature where the policy
	// requires one.
	RuleUnsigned signing.Rule = "policy/unsigned"
	// RuleUntrusted: an intact signature whose chain does not reach a
	// trusted root where the policy requires a valid one.
	RuleUntrusted signing.Rule = "policy/untrusted"
	// RuleAdhocNotAllowed: an Apple ad-hoc signature the policy does not allow.
	RuleAdhocNotAllowed signing.Rule = "policy/adhoc-not-allowed"
	// RuleSignerNotAllowed: a signature by none of the signers the policy
	// allows.
	RuleSignerNotAllowed signing.Rule = "policy/signer-not-allowed"
	// RuleConfusableName: a signer's subject looks like, but is not, a
	// subject the policy allows or a blocklist lists: it differs only in
	// letters of other scripts that look like Latin ones (confusable.go).
	RuleConfusableName signing.Rule = "signer/confusable-name"
	// RuleForbiddenKind: a file of a kind the policy forbids.
	RuleForbiddenKind signing.Rule = "policy/forbidden-kind"
	// RuleBadSignature: a signature that is invalid, malformed or revoked,
	// or a native file that cannot be parsed, without another error finding
	// saying so.
	RuleBadSignature signing.Rule = "policy/bad-signature"
	// RuleSigstoreMissing: a file the policy requires a Sigstore bundle for
	// has none.
	RuleSigstoreMissing signing.Rule = "policy/sigstore-missing"
	// RuleSigstoreInvalid: a file's Sigstore bundle does not verify as the
	// policy requires.
	RuleSigstoreInvalid signing.Rule = "policy/sigstore-invalid"
	// RuleProvenanceMismatch: a file's Sigstore bundle verifies, but it is
	// not SLSA provenance meeting the policy's provenance requirements.
	RuleProvenanceMismatch signing.Rule = "policy/provenance-mismatch"
	// RuleRequirementNotSatisfied reports a slice of a Mach-O file, a disk
	// image or an installer package signature that does not satisfy the
	// Apple code requirement a policy rule sets (or whose outcome cannot be
	// decided offline, or that is unsigned). A package gets one finding per
	// policy rule, naming those of its signatures that fail.
	RuleRequirementNotSatisfied signing.Rule = "policy/requirement-not-satisfied"
	// RuleNotNotarized reports code a policy rule's requireNotarized covers
	// that carries no stapled notarization ticket bound to it, or whose
	// ticket cannot be verified as the rule asks.
	RuleNotNotarized signing.Rule = "policy/not-notarized"
	// RuleRuleUnmatched: a policy rule that requires something of the
	// files it matches matched no file of the release.
	RuleRuleUnmatched signing.Rule = "policy/rule-unmatched"
	// RuleSignerNameOnly: a policy signers entry that names a subject and
	// issuer only (no root, thumbprint or team ID) allowed signatures:
	// any CA the trust store holds could issue those names.
	RuleSignerNameOnly signing.Rule = "policy/signer-name-only"
	// RuleTrustInRelease: a file the policy reads (the policy itself, a
	// trust root, a blocklist, OSV or VEX data, a Sigstore trusted root or
	// key) lies inside a folder being verified.
	RuleTrustInRelease signing.Rule = "policy/trust-in-release"
)

// The package's former unexported names of its rule IDs, kept while code
// that uses them (walk.go, check.go, release.go, kind.go and tests) is being
// rewritten; new code uses the exported names.
const (
	ruleMalformed        = RuleMalformed
	ruleUnreadable       = RuleUnreadable
	ruleSymlinkEscape    = RuleSymlinkEscape
	ruleInsecurePath     = RuleInsecurePath
	ruleDuplicateEntry   = RuleDuplicateEntry
	ruleNameCollision    = RuleNameCollision
	ruleZipInvalid       = RuleZipInvalid
	ruleZipUnlisted      = RuleZipUnlisted
	ruleZipTrailing      = RuleZipTrailing
	ruleWindowsAlias     = RuleWindowsAlias
	ruleUncheckedArchive = RuleUncheckedArchive
	ruleUnsigned         = RuleUnsigned
	ruleUntrusted        = RuleUntrusted
	ruleAdhoc            = RuleAdhocNotAllowed
	ruleSignerNotAllow   = RuleSignerNotAllowed
	ruleForbiddenKind    = RuleForbiddenKind
	ruleBadSignature     = RuleBadSignature
	ruleSigstoreMissing  = RuleSigstoreMissing
	ruleSigstoreInvalid  = RuleSigstoreInvalid
)

// Rule IDs of scripts the verifier reports besides their signatures,
// documented in docs/rules/script.md.
const (
	// RuleScriptEncoded: a Script Encoder file (.vbe, .jse), which the
	// Windows Script Host decodes and runs but no script signature covers.
	RuleScriptEncoded signing.Rule = "script/encoded"
	// RuleScriptNoSignatureFormat: a batch file (.bat, .cmd), Windows
	// Script Component (.wsc, .sct) or HTML Application (.hta), code Windows runs that no signature format
	// it verifies covers.
	RuleScriptNoSignatureFormat signing.Rule = "script/no-signature-format"
	// RuleScriptTerminal: a macOS Terminal shell script (.command, .tool)
	// or settings file (.terminal, which runs its CommandString) outside an Apple bundle's seal, which Finder runs in Terminal and
	// whose signature (kept in extended attributes) is not verified.
	RuleScriptTerminal signing.Rule = "script/terminal"
	// RuleScriptExternalSource: a Windows Script File's <script src="…">
	// element, whose file the Windows Script Host loads and runs but the
	// .wsf's signature does not cover.
	RuleScriptExternalSource signing.Rule = "script/external-source"
)
