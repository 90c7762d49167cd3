package sbom

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
)

// TestSBOMAsarInInstaller: a release folder carrying an NSIS Setup.exe
// has the installer's app.asar opened as verify opens it: its npm packages
// and its native addon's owner under the installer's path, and no plain
// file for the archive itself.
func TestSBOMAsarInInstaller(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "Setup.exe", nsisSetup(t, electronfix.Clean(), nsis.BuildOptions{Deflate: true}))
	inv := openRelease(t, dir)
	for _, f := range inv.Findings {
		t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
	}
	const at = "Setup.exe/$INSTDIR/resources/app.asar"
	var pkgs []string
	for _, p := range inv.Packages {
		pkgs = append(pkgs, p.Path+"@"+p.Version)
		if p.Digest == "" || p.Files == 0 {
			t.Errorf("package %s: %d files, digest %q", p.Path, p.Files, p.Digest)
		}
	}
	if !slices.Contains(pkgs, at+"/node_modules/tinycolor@2.1.0") || !slices.Contains(pkgs, at+"/node_modules/fastsql@5.1.6") {
		t.Errorf("packages %q", pkgs)
	}
	if fileAt(inv, at) != nil {
		t.Error("the app.asar is also a plain file")
	}
	if f := fileAt(inv, at+"/package.json"); f == nil || f.SHA256 == "" {
		t.Errorf("the asar's package.json: %+v", f)
	}
	node := binaryAt(inv, "Setup.exe/$INSTDIR/resources/app.asar.unpacked/node_modules/fastsql/build/Release/fastsql.node")
	if node == nil || node.Package != at+"/node_modules/fastsql" || node.Version != "5.1.6" {
		t.Errorf("fastsql.node: %+v", node)
	}
}

// TestDiffAsarInArchiveChangedPackage: two zips of a release, each
// carrying its Setup.exe, differ in an npm package inside the installer's
// app.asar, changed under the same version: the diff names it.
func TestDiffAsarInArchiveChangedPackage(t *testing.T) {
	dir := t.TempDir()
	o := nsis.BuildOptions{Deflate: true}
	oldZip := writeFile(t, dir, "acme-1.4.0.zip", zipBytes(t, map[string][]byte{"Setup.exe": nsisSetup(t, electronfix.Clean(), o)}))
	newZip := writeFile(t, dir, "acme-1.4.1.zip", zipBytes(t, map[string][]byte{"Setup.exe": nsisSetup(t, electronfix.Trojanized(), o)}))
	rep, err := DiffReleases(context.Background(), oldZip, newZip, DiffOptions{Inventory: Options{Signatures: fixtureSignatures(t)}})
	if err != nil {
		t.Fatal(err)
	}
	got := findingKeys(rep.Findings)
	want := "error " + string(RuleChangedSameVersion) + " Setup.exe/$INSTDIR/resources/app.asar/node_modules/tinycolor"
	if !slices.Contains(got, want) {
		t.Errorf("findings\n%s\nwant among them %s", strings.Join(got, "\n"), want)
	}
}
