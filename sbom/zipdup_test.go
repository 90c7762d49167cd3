package sbom

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestZipDuplicateNamesSameInBoth: a zip holding win/app.exe three times
// has every copy inventoried at win/app.exe, each with its digest and in
// digest order, and file/duplicate-entry once at that path, as
// verify's TestZipDuplicateNamesSameInBoth finds in its report.
func TestZipDuplicateNamesSameInBoth(t *testing.T) {
	t.Parallel()
	a, b, c := peImage(t, "first"), peImage(t, "second"), peImage(t, "third")
	inv := openInv(t, namedZip(t, t.TempDir(), "rel.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"win/app.exe", a, nil}, zipEntry{"win/app.exe", b, nil}, zipEntry{"win/app.exe", c, nil}))
	var sums []string
	for _, bin := range inv.Binaries {
		if bin.Path != "win/app.exe" {
			t.Errorf("binary at %s", bin.Path)
		}
		sums = append(sums, bin.SHA256)
	}
	want := []string{sum(a), sum(b), sum(c)}
	slices.Sort(want)
	if !slices.Equal(sums, want) {
		t.Errorf("win/app.exe digests %q, want %q", sums, want)
	}
	dups := 0
	for _, f := range inv.Findings {
		if f.Rule == release.RuleDuplicateEntry && f.Path == "win/app.exe" && f.Message == release.ZipDuplicateMessage("rel.zip", "win/app.exe", "inventoried") {
			dups++
		} else {
			t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	if dups != 1 {
		t.Errorf("%d duplicate-entry findings, want 1", dups)
	}
}
