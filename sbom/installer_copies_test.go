package sbom

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/dupfix"
	"github.com/shipgate/shipgate/internal/release"
)

// TestAttackInstallerSecondCopy: a 7-Zip archive, a cabinet and NSIS data
// each holding two different app.exe at one path have both copies
// inventoried at that path, each with its digest, and
// file/duplicate-entry once there, as verify's
// TestAttackInstallerSecondCopy checks both: every copy of a repeated
// name, as a zip's (container.Walk's rule), where the inventory kept the
// first alone and the second, perhaps the one installed, went unlisted.
func TestAttackInstallerSecondCopy(t *testing.T) {
	t.Parallel()
	a, b := peImage(t, "first"), peImage(t, "second")
	for _, fx := range dupfix.Installers(a, b) {
		t.Run(fx.Name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, fx.Name, fx.Data)
			inv := openRelease(t, dir)
			var got []string
			for _, bin := range inv.Binaries {
				if bin.Path == fx.Path {
					got = append(got, bin.SHA256)
				}
			}
			want := []string{sum(a), sum(b)}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s digests %q, want %q", fx.Path, got, want)
			}
			n := 0
			for _, f := range inv.Findings {
				if f.Rule == release.RuleDuplicateEntry && f.Path == fx.Path {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d duplicate-entry findings at %s, want 1: %q", n, fx.Path, findingKeys(inv.Findings))
			}
		})
	}
}
