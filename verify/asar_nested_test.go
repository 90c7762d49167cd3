package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAsarInAsarSameInBoth: an asar holding an asar holding x.node has
// x.node checked under both asars' paths; six asars deep, the asar
// release.MaxDepth archives down is reported not opened and nothing past
// it is checked, as sbom's TestAsarInAsarSameInBoth inventories them (one
// rule: every asar is opened, to the same depth).
func TestAsarInAsarSameInBoth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	walktest.NestedAsarTree(t, dir, getFixtures(t).peUnsigned)
	r := run(t, Options{}, dir)
	if fileByPath(r, "plugins/two.asar/inner.asar/x.node") == nil {
		t.Error("plugins/two.asar/inner.asar/x.node not checked")
	}
	for _, deep := range walktest.NestedAsarTooDeep {
		for _, fr := range r.Files {
			if strings.HasPrefix(fr.Path, deep+"/") {
				t.Errorf("%s checked, past the depth limit", fr.Path)
			}
		}
		if got := rulesFor(r, deep); len(got) != 1 || got[0] != "error "+string(ruleUnreadable) {
			t.Errorf("findings at %s: %q", deep, got)
		}
		for _, fd := range r.Findings {
			if fd.Path == deep && fd.Message != release.TooDeepMessage(4, "checked") {
				t.Errorf("finding at %s: %s", deep, fd.Message)
			}
		}
	}
}
