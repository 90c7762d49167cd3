package sbom

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestPackageFolderRenamedToFoldVariant: a package folder renamed to a
// spelling that Windows and macOS file systems fold to the old name (a
// dotless ı or a long ſ for the ASCII letter, as NTFS's upcase table folds
// them) is held to the old folder's contents for its version, as a rename
// by case is.
func TestPackageFolderRenamedToFoldVariant(t *testing.T) {
	t.Parallel()
	for _, folder := range []string{"tınycolor", "TİNYCOLOR"} {
		t.Run(folder, func(t *testing.T) {
			old, n := rtWindows(t, "1.4.0"), rtWindows(t, "1.4.1")
			repackAsar(t, n, func(f map[string]*electronfix.AsarFile) {
				for _, name := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
					c := f[rtTiny+name]
					delete(f, rtTiny+name)
					c.Path = "node_modules/" + folder + "/" + name
					f[c.Path] = c
				}
				appendTo(f, "node_modules/"+folder+"/index.js", "evil()")
			})
			got := rtDiff(t, old, n)
			if w := "error diff/changed-same-version " + rtAsar + "/node_modules/" + folder; !slices.Contains(got, w) {
				t.Errorf("missing %q; findings:\n%s", w, strings.Join(got, "\n"))
			}
		})
	}
}
