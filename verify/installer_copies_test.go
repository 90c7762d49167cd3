package verify

import (
	"crypto/sha256"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/dupfix"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackInstallerSecondCopy: a 7-Zip archive, a cabinet and NSIS data
// each holding a signed app.exe and, at the same path, an unsigned one
// have both copies checked at that path (the unsigned one reported
// unsigned) and file/duplicate-entry once there, as sbom's
// TestAttackInstallerSecondCopy inventories both: every copy of a
// repeated name, as a zip's (container.Walk's rule), where the 7-Zip
// archive's second copy went unchecked.
func TestAttackInstallerSecondCopy(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, fx := range dupfix.Installers(f.peValid, f.peUnsigned) {
		t.Run(fx.Name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{fx.Name: fx.Data})
			r := run(t, Options{}, dir)
			var got, want []string
			signed := 0
			for _, fr := range r.Files {
				if fr.Path == fx.Path {
					got = append(got, fr.SHA256.String())
					if fr.Signed() {
						signed++
					}
				}
			}
			for _, c := range [][]byte{f.peValid, f.peUnsigned} {
				want = append(want, Digest(sha256.Sum256(c)).String())
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s digests %q, want %q", fx.Path, got, want)
			}
			if n := countFindings(r, ruleDuplicateEntry, fx.Path); n != 1 {
				t.Errorf("%d %s findings at %s, want 1: %+v", n, ruleDuplicateEntry, fx.Path, r.Findings)
			}
			if signed != 1 {
				t.Errorf("%d of the copies signed, want 1", signed)
			}
		})
	}
}

// countFindings counts r's findings of rule at path p.
func countFindings(r *Report, rule signing.Rule, p string) int {
	n := 0
	for _, fd := range r.Findings {
		if fd.Rule == rule && fd.Path == p {
			n++
		}
	}
	return n
}
