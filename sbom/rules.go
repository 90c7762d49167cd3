package sbom

import (
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// Rule IDs of Diff, documented in docs/rules/sbom.md.
const (
	// RuleChangedSameVersion: bytes changed while the declared version
	// stayed the same.
	RuleChangedSameVersion signing.Rule = "diff/changed-same-version"
	// RuleSignerChanged: a native binary's signer differs from the previous
	// release's.
	RuleSignerChanged signing.Rule = "diff/signer-changed"
	// RuleSignatureDowngraded: a native binary's signature status is worse
	// than in the previous release.
	RuleSignatureDowngraded signing.Rule = "diff/signature-downgraded"
	// RuleNewNativeCode: a native binary the previous release did not have.
	RuleNewNativeCode signing.Rule = "diff/new-native-code"
	// RuleInstallScript: an npm package with an install-time script.
	RuleInstallScript signing.Rule = "diff/install-script"
	// RuleElectronVersion: the Electron runtime version changed.
	RuleElectronVersion signing.Rule = "diff/electron-version"
	// RuleFuseWeakened: an Electron fuse moved to its less secure state.
	RuleFuseWeakened signing.Rule = "diff/fuse-weakened"
	// RulePackageAdded: an npm package appears.
	RulePackageAdded signing.Rule = "diff/package-added"
	// RulePackageRemoved: an npm package of the previous release is gone.
	RulePackageRemoved signing.Rule = "diff/package-removed"
	// RulePackageUpdated: an npm package changed its declared version.
	RulePackageUpdated signing.Rule = "diff/package-updated"
	// RuleLayoutChanged: the releases have different layouts.
	RuleLayoutChanged signing.Rule = "diff/layout-changed"
	// RulePackageRenamed: a package folder's package.json name changed.
	RulePackageRenamed signing.Rule = "diff/package-renamed"
	// RuleRuntimeFileRemoved: a file of the Electron runtime is gone while
	// Electron's version stayed the same.
	RuleRuntimeFileRemoved signing.Rule = "diff/runtime-file-removed"
)

// Rule IDs of CompareUpstream, documented in docs/rules/sbom.md.
const (
	// RuleRuntimeModified: a file of the Electron runtime differs from the
	// official release's.
	RuleRuntimeModified signing.Rule = "electron/runtime-modified"
	// RuleRuntimeExtra: a file beside the Electron runtime that the official
	// release does not have.
	RuleRuntimeExtra signing.Rule = "electron/runtime-extra"
)

// Rule IDs of Inventory, documented in docs/rules/sbom.md (the electron/
// rules) and docs/rules/verify.md (file/unreadable, file/symlink-escape).
const (
	// RuleSymlinkEscape is the finding for a symbolic link of a release
	// (a folder's, or an archive entry) that points outside it or nowhere:
	// verify's rule ID for a link out of the release (verify.RuleSymlinkEscape).
	RuleSymlinkEscape = release.RuleSymlinkEscape
	// RuleAppFolderShadowsAsar is the finding for an application folder
	// beside app.asar that Electron would load instead of the archive.
	RuleAppFolderShadowsAsar signing.Rule = "electron/app-folder-shadows-asar"
	// RuleAsarIntegrityMismatch: the application's asar integrity claim does
	// not match app.asar's header.
	RuleAsarIntegrityMismatch signing.Rule = "electron/asar-integrity-mismatch"
	// RuleAsarIntegrityNotEnforced: the release has an app.asar but its fuses
	// do not make Electron enforce asar integrity.
	RuleAsarIntegrityNotEnforced signing.Rule = "electron/asar-integrity-not-enforced"
	// RuleInfoPlistInvalid: the application's Contents/Info.plist does not
	// parse.
	RuleInfoPlistInvalid signing.Rule = "electron/info-plist-invalid"
	// RuleElectronVersionMismatch: the Electron version file or framework
	// Info.plist disagrees with the version string of the binary carrying
	// the fuse wire.
	RuleElectronVersionMismatch signing.Rule = "electron/version-mismatch"
	// RulePackageJSONInvalid: an npm package's package.json does not parse,
	// has no name, or has fields of the wrong type.
	RulePackageJSONInvalid signing.Rule = "electron/package-json-invalid"
	// RuleLockfileMismatch: a package's declared version differs from the
	// application's lockfile.
	RuleLockfileMismatch signing.Rule = "electron/lockfile-mismatch"
	// RuleNpmOutsidePackage: an entry of an npm package tarball outside
	// its package/ folder, which npm installs without its first folder.
	RuleNpmOutsidePackage signing.Rule = "npm/entry-outside-package"
	// RuleUnreadable: a file of the release cannot be read. It is the rule
	// ID package verify reports for the same condition (verify.RuleUnreadable).
	RuleUnreadable = release.RuleUnreadable
	// RuleAsarMalformed: app.asar's header cannot be read; the asar package's
	// rule, reported by Inventory about the archive.
	RuleAsarMalformed = asar.RuleMalformed
)
