package walktest

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/hfsplus"
)

// NestedAsarTree writes under dir the release verify and sbom are both
// tested on for asars in asars (their TestAsarInAsarSameInBoth): x as
// x.node two asars deep (plugins/two.asar/inner.asar/x.node), and six
// asars deep, in plugins/six.asar and in a disk image (plugins.dmg, its
// volume holding six.asar), where the asars at NestedAsarTooDeep are past
// the depth limit.
func NestedAsarTree(t testing.TB, dir string, x []byte) {
	t.Helper()
	leaf := []electronfix.AsarFile{{Path: "x.node", Data: x}}
	WriteTree(t, dir, []ZipEntry{
		{Name: "plugins/two.asar", Data: electronfix.NestedAsar(2, leaf)},
		{Name: "plugins/six.asar", Data: electronfix.NestedAsar(6, leaf)},
		{Name: "plugins.dmg", Data: asarDMG(t, electronfix.NestedAsar(6, leaf))},
	})
}

// NestedAsarTooDeep are the asars of NestedAsarTree release.MaxDepth
// archives down (a disk image's files lie one archive down), reported not
// opened.
var NestedAsarTooDeep = []string{
	"plugins/six.asar" + strings.Repeat("/inner.asar", 4),
	"plugins.dmg/six.asar" + strings.Repeat("/inner.asar", 3),
}

// asarDMG returns a disk image whose HFS+ volume holds asar as six.asar.
func asarDMG(t testing.TB, asar []byte) []byte {
	t.Helper()
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"six.asar": {Data: asar}}})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	return img
}
