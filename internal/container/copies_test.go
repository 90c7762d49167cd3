package container

import (
	"testing"

	"github.com/shipgate/shipgate/internal/dupfix"
	"github.com/shipgate/shipgate/internal/release"
)

// TestWalkHandsEveryCopy: a 7-Zip archive, a cabinet and NSIS data that
// hold two files at one path hand both over and report
// file/duplicate-entry once at that path (the reader's own finding, or the
// walker's). The NSIS data's first copy is a further path of its first
// block (Entry.Also), which walkAll does not record, and its second a
// block's own path.
func TestWalkHandsEveryCopy(t *testing.T) {
	fxs := dupfix.Installers([]byte("MZ first"), []byte("MZ second"))
	for i, c := range []struct {
		k    Kind
		want int // entries handed over at the path, Also aside
	}{{SevenZip, 2}, {CAB, 2}, {NSIS, 1}} { // in dupfix.Installers' order
		fx := fxs[i]
		t.Run(fx.Name, func(t *testing.T) {
			w := walkAll(t, c.k, fx.Data, fx.Name, nil, 0)
			n := 0
			for _, p := range w.paths {
				if p == fx.Path {
					n++
				}
			}
			if n != c.want {
				t.Errorf("entries %q: want %s %d times", w.paths, fx.Path, c.want)
			}
			dups := 0
			for _, f := range w.finds {
				if f == string(release.RuleDuplicateEntry)+" "+fx.Path {
					dups++
				}
			}
			if dups != 1 {
				t.Errorf("findings %q: want one duplicate at %s", w.finds, fx.Path)
			}
		})
	}
}
