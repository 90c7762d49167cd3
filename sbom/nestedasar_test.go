package sbom

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestSBOMAsarInInstaller: a release folder carrying an NSIS Setup.exe
// has the installer's app.asar opened as verify opens it: its npm packages
// and its native addon's owner under the installer's path, and the archive
// itself a file, as verify lists it.
func TestSBOMAsarInInstaller(t *testing.T) {
	t.Parallel()
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
	if f := fileAt(inv, at); f == nil || f.SHA256 == "" {
		t.Errorf("the app.asar itself: %+v", f)
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
	t.Parallel()
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

// Attack: an asar in a zip in a release folder whose packed file no
// longer matches the integrity its header records passed sbom as one
// opaque file. It is opened as the release's own asar is: the entry is
// asar/integrity-mismatch at its path inside (verify lists the same
// entries but checks no asar integrity), and its package is listed.
func TestAttackTamperedAsarInArchive(t *testing.T) {
	t.Parallel()
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"extra","version":"1.0.0"}`)},
		{Path: "node_modules/x/package.json", Data: []byte(`{"name":"x","version":"2.0.0"}`)},
		{Path: "node_modules/x/index.js", Data: []byte("module.exports = 'MARKER-0123456789';\n")},
	})
	i := bytes.LastIndex(arc, []byte("MARKER-0123456789"))
	arc[i] ^= 0x20
	p := writeFolder(t, map[string][]byte{"dist/plugins.zip": zipBytes(t, map[string][]byte{"plugins/extra.asar": arc})})
	inv, _, got, want := sbomAndVerify(t, p, "")
	const at = "dist/plugins.zip/plugins/extra.asar"
	if w := []string{string(asar.RuleIntegrityMismatch) + " " + at + "/node_modules/x/index.js"}; !slices.Equal(ruleFindings(inv.Findings, asar.RuleIntegrityMismatch, ""), w) {
		t.Errorf("findings %+v, want %q", inv.Findings, w)
	}
	if len(inv.Packages) != 1 || inv.Packages[0].Path != at+"/node_modules/x" || inv.Packages[0].Version != "2.0.0" || inv.Packages[0].Files != 2 {
		t.Errorf("packages %+v", inv.Packages)
	}
	// The files outside packages are those verify checks, the asar
	// itself among them.
	want = slices.DeleteFunc(want, func(p string) bool { return strings.HasPrefix(p, at+"/node_modules/") })
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists %q, verify checks %q", got, want)
	}
}

// TestSBOMLooseAsar: an extra asar in a release folder
// (resources/plugins/extra.asar), which verify opens and checks entry by
// entry, stayed one opaque file in sbom: its npm packages were not
// inventoried. It is opened as verify opens it, its files and packages
// listed under its path, and the archive itself a file, as verify lists
// it.
func TestSBOMLooseAsar(t *testing.T) {
	t.Parallel()
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"extra","version":"1.0.0"}`)},
		{Path: "node_modules/lodash/package.json", Data: []byte(`{"name":"lodash","version":"4.17.15"}`)},
		{Path: "node_modules/lodash/index.js", Data: []byte("module.exports = {}\n")},
	})
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "resources", "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "README", []byte("hi"))
	writeFile(t, filepath.Join(dir, "resources", "plugins"), "extra.asar", arc)
	inv := openRelease(t, dir)
	for _, f := range inv.Findings {
		t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
	}
	const at = "resources/plugins/extra.asar"
	if f := fileAt(inv, at); f == nil || f.SHA256 == "" {
		t.Errorf("the extra asar itself: %+v", f)
	}
	if f := fileAt(inv, at+"/package.json"); f == nil || f.SHA256 == "" {
		t.Errorf("the asar's package.json: %+v", f)
	}
	var pkgs []string
	for _, p := range inv.Packages {
		pkgs = append(pkgs, p.Path+"@"+p.Version)
	}
	if !slices.Contains(pkgs, at+"/node_modules/lodash@4.17.15") {
		t.Errorf("packages %q, want %s/node_modules/lodash@4.17.15", pkgs, at)
	}
}

// TestDiffLoneAsarsOfOtherNames: two asars given alone under other
// names (acme.asar, then next.asar), each listed as a file beside its
// entries, diff entry to entry, as two versions' folders do: a changed
// file is changed at the new asar's path, not removed and added.
func TestDiffLoneAsarsOfOtherNames(t *testing.T) {
	pack := func(code string) []byte {
		arc, _ := electronfix.PackAsar([]electronfix.AsarFile{
			{Path: "package.json", Data: []byte(`{"name":"acme","version":"1.0.0"}`)},
			{Path: "a.js", Data: []byte(code)},
		})
		return arc
	}
	dir := t.TempDir()
	oldAsar := writeFile(t, dir, "acme.asar", pack("module.exports = 1\n"))
	newAsar := writeFile(t, dir, "next.asar", pack("module.exports = 2\n"))
	d, err := DiffReleases(context.Background(), oldAsar, newAsar, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Diff.Files {
		got = append(got, f.Change+" "+f.Path)
	}
	if want := []string{"changed next.asar", "changed next.asar/a.js"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
}
