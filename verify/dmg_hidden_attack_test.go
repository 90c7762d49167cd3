package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/hfsplus"
)

// TestAttackDMGCompressedFileAddedToBundle: a file the app's seal does
// not list, added inside the app with HFS+ transparent compression (its
// data in a resource fork that is not a valid chunk table, so not decoded). macOS reads
// it like any other file, and codesign --verify reports it added; left out
// of the walk, the bundle's seal check never saw it. Outside any bundle a
// loose tool stored that way is an error too: it passed with a warning
// before (issue #15 audit).
func TestAttackDMGCompressedFileAddedToBundle(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	for _, c := range []struct {
		name string
		path string
		fail bool
	}{
		{"outside-any-bundle", "Extras/notes.txt", true},
		{"loose-at-the-root", "tool", true},
		{"inside-the-app", "Example.app/Contents/Frameworks/libhook.dylib", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runDMG(t, hfsDMG(t, bundle, map[string]hfsplus.BuildFile{c.path: {Compressed: true, Rsrc: []byte("stage two, packed")}}, false, nil))
			if r.Summary.Passed == c.fail {
				t.Errorf("passed %t, want %t; errors %v", r.Summary.Passed, !c.fail, errorRules(r))
			}
		})
	}
}
