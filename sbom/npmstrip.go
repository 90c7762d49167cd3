package sbom

import (
	"fmt"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// npmOutsidePackage reports the files of an npm package tarball
// (LayoutNpm) that are not under its package/ folder: npm (pacote, through
// node-tar's strip: 1) installs every entry without its first folder, so
// other/index.js is installed as index.js, over package/index.js when the
// package has one, while the inventory lists it outside the package,
// under no package's digest. An entry with no folder is not installed.
// Only a tarball whose package/ folder is at its root is an npm package
// npm installs (b.appDir "package"): a zip is none, nor is a release
// tarball wrapping one in its own folder (TestNpmOutsidePackageOnlyForNpmTarballs).
func (b *builder) npmOutsidePackage() {
	if b.inv.Layout != LayoutNpm || b.appDir != "package" {
		return
	}
	has := map[string]bool{}
	for _, it := range b.files {
		has[it.path] = true
	}
	for _, it := range b.files {
		top, rest, ok := npmStrip(it)
		if !ok || top == "package" {
			continue
		}
		over := ""
		if has["package/"+rest] {
			over = fmt.Sprintf(", over package/%s, the file inventoried there", rest)
		}
		b.finding(RuleNpmOutsidePackage, signing.SeverityError, it.path,
			fmt.Sprintf("npm package tarball entry %q is outside package/: npm strips every entry's first folder and installs it as %q%s; it was inventoried outside the package", npmName(it), rest, over))
	}
}

// npmName is the name of the tarball's file it as its header writes it,
// or its report path when it has none (a hard link's).
func npmName(it *item) string {
	if it.tarName != "" {
		return it.tarName
	}
	return it.path
}

// npmStrip returns the first folder of the tarball's file it and the path
// npm installs it at, as node-tar's strip: 1 cuts the name its header
// writes, uncleaned (its older versions at a backslash too): ./index.js
// is installed as index.js (TestAttackNpmDotSlashEntry). ok is false for
// a file npm does not install, one with no folder.
func npmStrip(it *item) (top, rest string, ok bool) {
	n := npmName(it)
	i := strings.IndexAny(n, `/\`)
	if i < 0 {
		return "", "", false
	}
	top, rest = n[:i], strings.TrimLeft(path.Clean("/"+strings.ReplaceAll(n[i+1:], `\`, "/")), "/")
	return top, rest, rest != ""
}
