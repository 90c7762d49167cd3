package verify

import (
	"fmt"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// A bundle-style installer package (the format before flat packages: a
// folder X.pkg or X.mpkg holding Contents/Archive.pax.gz, a gzip'd cpio
// archive of the files it installs, and Contents/Resources/preflight,
// postflight and the like, a metapackage's Contents/distribution.dist) is
// opened by Installer on macOS 14 and earlier,
// which installs the archive and runs the scripts as root. No signature
// format covers such a package, and its archive is not opened here, so a
// disk image or zip holding a signed app beside an Install.pkg folder
// passed `require: valid` while the folder's scripts and payload ran
// unchecked (TestAttackBundleStylePackage). Its payload archive and
// install scripts are file/bundle-package errors.

// bundlePackageScripts are the scripts Installer runs from a bundle
// package's Contents/Resources, by name.
var bundlePackageScripts = map[string]bool{
	"preflight": true, "postflight": true, "preinstall": true, "postinstall": true,
	"preupgrade": true, "postupgrade": true, "installationcheck": true, "volumecheck": true,
}

// bundlePackageRole says what the file at the "/"-separated path p is in
// a bundle-style installer package ("the payload archive", "an install
// script"), and names the package; ok is false for any other file.
func bundlePackageRole(p string) (role, pkg string, ok bool) {
	els := strings.Split(p, "/")
	for i := 0; i+2 < len(els); i++ {
		ext := strings.ToLower(path.Ext(els[i]))
		if (ext != ".pkg" && ext != ".mpkg") || !strings.EqualFold(els[i+1], "Contents") {
			continue
		}
		rest := els[i+2:]
		pkg = strings.Join(els[:i+1], "/")
		switch {
		case len(rest) == 1 && (strings.EqualFold(rest[0], "Archive.pax.gz") || strings.EqualFold(rest[0], "Archive.pax")):
			return "the payload archive", pkg, true
		case len(rest) == 2 && strings.EqualFold(rest[0], "Resources") && bundlePackageScripts[strings.ToLower(rest[1])]:
			return "an install script", pkg, true
		case len(rest) == 1 && strings.EqualFold(path.Ext(rest[0]), ".dist"):
			return "the Distribution (whose JavaScript Installer runs)", pkg, true
		}
	}
	return "", "", false
}

// checkBundlePackage reports a bundle-style installer package's payload
// archive and install scripts (see above).
func (c *check) checkBundlePackage() {
	// The package folder given as the input is one too: its name is in
	// no report path (TestAttackBundleStylePackageInput).
	role, pkg, ok := bundlePackageRole(c.e.inFolders(c.f.Path))
	if !ok {
		return
	}
	c.add(RuleBundlePackage, signing.SeverityError, fmt.Sprintf("the file is %s of %s, a bundle-style installer package: Installer on macOS 14 and earlier installs its Archive.pax.gz and runs its install scripts as root, yet no signature format covers such a package and shipgate does not open its archive, so what it installs and runs was not checked; ship a signed flat package (productbuild) instead", role, pkg))
}
