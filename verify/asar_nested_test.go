package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/release"
)

// TestAsarInAsarSameInBoth: an asar holding an asar holding x.node has
// x.node checked under both asars' paths; six asars deep, the asar
// release.MaxDepth archives down is reported not opened and nothing past
// it is checked, as sbom's TestAsarInAsarSameInBoth inventories them (one
// rule: every asar is opened, to the same depth).
func TestAsarInAsarSameInBoth(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	leaf := []electronfix.AsarFile{{Path: "x.node", Data: f.peUnsigned}}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"plugins/two.asar": electronfix.NestedAsar(2, leaf),
		"plugins/six.asar": electronfix.NestedAsar(6, leaf),
	})
	writeTree(t, dir, map[string][]byte{"plugins.dmg": asarDMG(t, electronfix.NestedAsar(6, leaf))})
	r := run(t, Options{}, dir)
	if fileByPath(r, "plugins/two.asar/inner.asar/x.node") == nil {
		t.Error("plugins/two.asar/inner.asar/x.node not checked")
	}
	// A disk image's files lie one archive down.
	for _, deep := range []string{"plugins/six.asar" + strings.Repeat("/inner.asar", 4), "plugins.dmg/six.asar" + strings.Repeat("/inner.asar", 3)} {
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

// asarDMG returns a disk image whose HFS+ volume holds asar as six.asar.
func asarDMG(t *testing.T, asar []byte) []byte {
	t.Helper()
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"six.asar": {Data: asar}}})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	return img
}
