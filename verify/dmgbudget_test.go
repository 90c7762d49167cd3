package verify

import (
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// TestDiskImagesInZipWithinBudget: the bundles of a disk image held in
// memory under the run's budget (a deflated zip entry) are verified as
// soon as its files are: queued for the end of the run, the first image's
// bundle held the budget the second image waited for, and the run hung.
func TestDiskImagesInZipWithinBudget(t *testing.T) {
	t.Parallel()
	d := hfsDMG(t, exampleBundle(t), nil, false, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"rel/outer.zip": makeZip(t, []zipEntry{{name: "a/E.dmg", data: d}, {name: "b/E.dmg", data: d}})})
	done := make(chan *Report, 1)
	go func() { done <- run(t, Options{MaxBuffer: int64(len(d)) * 3 / 2}, dir) }()
	select {
	case r := <-done:
		for _, p := range []string{"rel/outer.zip/a/E.dmg/Example.app/Contents/MacOS/Example", "rel/outer.zip/b/E.dmg/Example.app/Contents/MacOS/Example"} {
			if fb := fileByPath(r, p); fb == nil || len(fb.Signatures) == 0 || fb.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: %+v", p, fb)
			}
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not finish: the budget is held by a queued bundle")
	}
}
