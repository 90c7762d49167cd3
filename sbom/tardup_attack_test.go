package sbom

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackTarDuplicateHidesFirst: a tarball holding win/app.exe twice, a
// malicious copy first and a benign one last, has both copies
// inventoried (verify checks both), so the benign copy cannot hide the
// first from the SBOM or its diff, and file/duplicate-entry at that path;
// plain, compressed and inside another tarball.
func TestAttackTarDuplicateHidesFirst(t *testing.T) {
	t.Parallel()
	evil, benign := peImage(t, "evil"), peImage(t, "benign")
	tarball := walktest.Tar(t, []walktest.TarEntry{{Name: "win/app.exe", Data: evil}, {Name: "win/app.exe", Data: benign}})
	for _, c := range []struct {
		name, file string
		data       []byte
		at         string
	}{
		{"plain", "rel.tar", tarball, "win/app.exe"},
		{"gzip", "rel.tar.gz", walktest.Gzip(t, tarball), "win/app.exe"},
		{"nested", "rel.tar", walktest.Tar(t, []walktest.TarEntry{{Name: "in.tar", Data: tarball}}), "in.tar/win/app.exe"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			inv := openInv(t, p)
			var sums []string
			for _, f := range inv.Files {
				if f.Path == c.at {
					sums = append(sums, f.SHA256)
				}
			}
			want := []string{sum(evil), sum(benign)}
			if slices.Sort(sums); !slices.Equal(sums, slices.Sorted(slices.Values(want))) {
				t.Errorf("%s digests %q, want both copies' %q", c.at, sums, want)
			}
			dups := 0
			for _, f := range inv.Findings {
				if f.Rule == release.RuleDuplicateEntry && f.Path == c.at {
					dups++
				}
			}
			if dups != 1 {
				t.Errorf("%d file/duplicate-entry findings at %s, want 1: %v", dups, c.at, inv.Findings)
			}
		})
	}
}
