package sbom

import (
	"fmt"
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
		top, rest, ok := strings.Cut(it.path, "/")
		if !ok || top == "package" {
			continue
		}
		over := ""
		if has["package/"+rest] {
			over = fmt.Sprintf(", over package/%s, the file inventoried there", rest)
		}
		b.finding(RuleNpmOutsidePackage, signing.SeverityError, it.path,
			fmt.Sprintf("npm package tarball entry %q is outside package/: npm strips every entry's first folder and installs it as %q%s; it was inventoried outside the package", it.path, rest, over))
	}
}
