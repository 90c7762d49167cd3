package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestNoteSharedAcrossListers: openInstallers' listers share one map of
// the paths listed and what listed each, so a path two zip readers of
// two listers list (two copies of one nested zip) is not file/
// duplicate-entry "inside an installer", which sbom used to report when
// each lister kept its own record of what listed a path; a path a
// container's walk lists after a zip reader, or one the release itself
// holds, still is.
func TestNoteSharedAcrossListers(t *testing.T) {
	t.Parallel()
	b := &builder{inv: &Inventory{}}
	seen := map[string]lister{"setup.exe/a.txt": byRelease}
	one := &containerLister{b: b, seen: seen, add: func(*item) {}}
	two := &containerLister{b: b, seen: seen, add: func(*item) {}}
	count := func() int {
		n := 0
		for _, f := range b.inv.Findings {
			if f.Rule == release.RuleDuplicateEntry && f.Message == release.WalkedCopyMessage("inventoried") {
				n++
			}
		}
		return n
	}
	one.note("inner.zip/a.txt", false)
	two.note("inner.zip/a.txt", false)
	if n := count(); n != 0 {
		t.Fatalf("two zip readers listing one path: %d findings %+v, want none", n, b.inv.Findings)
	}
	two.note("inner.zip/a.txt", true)
	if n := count(); n != 1 {
		t.Fatalf("a walk listing a path a zip reader listed: %d findings %+v, want 1", n, b.inv.Findings)
	}
	one.note("setup.exe/a.txt", false)
	if n := count(); n != 2 {
		t.Fatalf("a zip reader listing a file of the release: %d findings %+v, want 2", n, b.inv.Findings)
	}
}
