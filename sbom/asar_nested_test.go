package sbom

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAsarInAsarSameInBoth: an asar holding an asar holding x.node has
// x.node inventoried under both asars' paths (the inner asar stayed one
// opaque file); six asars deep, the asar release.MaxDepth archives down
// is reported not opened and nothing past it is listed, as verify's
// TestAsarInAsarSameInBoth checks them.
func TestAsarInAsarSameInBoth(t *testing.T) {
	t.Parallel()
	x := peImage(t, "x")
	dir := t.TempDir()
	walktest.NestedAsarTree(t, dir, x)
	inv := openRelease(t, dir)
	if b := binaryAt(inv, "plugins/two.asar/inner.asar/x.node"); b == nil || b.SHA256 != sum(x) {
		t.Errorf("plugins/two.asar/inner.asar/x.node: %+v", b)
	}
	deep := map[string]int{}
	for _, d := range walktest.NestedAsarTooDeep {
		deep[d] = 0
	}
	for _, b := range inv.Binaries {
		for d := range deep {
			if strings.HasPrefix(b.Path, d+"/") {
				t.Errorf("%s inventoried, past the depth limit", b.Path)
			}
		}
	}
	for _, f := range inv.Findings {
		if _, ok := deep[f.Path]; ok && f.Rule == release.RuleUnreadable && f.Message == release.TooDeepMessage(4, "inventoried") {
			deep[f.Path]++
		} else {
			t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	for d, n := range deep {
		if n != 1 {
			t.Errorf("%d unreadable findings at %s, want 1", n, d)
		}
	}
}

// TestNestedAppAsarFacts: a folder holding a zip of an Electron
// application (Acme/resources/app.asar beside Acme/version) had its
// asar's files listed but no App or Electron facts: its name, version,
// dependencies, header hash and digest are now those the same app.asar
// given alone has, its packages are listed under its path, and the
// runtime's version is read from the folder holding it, as an installer's
// is.
func TestNestedAppAsarFacts(t *testing.T) {
	t.Parallel()
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"acme","version":"2.0.0","dependencies":{"lodash":"^4"}}`)},
		{Path: "node_modules/lodash/package.json", Data: []byte(`{"name":"lodash","version":"4.17.21"}`)},
		{Path: "node_modules/lodash/index.js", Data: []byte("module.exports = {}\n")},
	})
	alone := openRelease(t, writeFile(t, t.TempDir(), "app.asar", arc))
	dir := t.TempDir()
	namedZip(t, dir, "acme.zip", zipEntry{"Acme/resources/app.asar", arc, nil}, zipEntry{"Acme/version", []byte("v30.1.0"), nil})
	inv := openRelease(t, dir)
	const at = "acme.zip/Acme/resources/app.asar"
	got, want := inv.App, alone.App
	// The application's digest covers its files beside the asar too.
	want.Asar, want.Root, want.Digest = at, at, got.Digest
	if !reflect.DeepEqual(got, want) {
		t.Errorf("App %+v, want %+v", got, want)
	}
	if f := fileAt(inv, "acme.zip/Acme/version"); inv.Electron.Version != "30.1.0" || f == nil || f.Component != "electron" {
		t.Errorf("Electron version %q, want 30.1.0; version file %+v, want Electron's", inv.Electron.Version, f)
	}
	found := false
	for _, p := range inv.Packages {
		found = found || (p.Path == at+"/node_modules/lodash" && p.Version == "4.17.21")
	}
	if !found {
		t.Errorf("packages %+v: no lodash under %s", inv.Packages, at)
	}
}
