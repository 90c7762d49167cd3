package sbom

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// windowsFiles returns the files of spec's Windows release, in name order.
func windowsFiles(t testing.TB, s electronfix.Spec) ([]string, map[string][]byte) {
	t.Helper()
	r, err := electronfix.Windows(s)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range r.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, r.Files
}

// nsisSetup returns an installer built here (no makensis) that extracts
// spec's Windows release to $INSTDIR, behind an unsigned stub.
func nsisSetup(t *testing.T, s electronfix.Spec, o nsis.BuildOptions) []byte {
	names, files := windowsFiles(t, s)
	var bf []nsis.BuildFile
	for _, n := range names {
		bf = append(bf, nsis.BuildFile{Name: `$INSTDIR\` + strings.ReplaceAll(n, "/", `\`), Data: files[n]})
	}
	return nsis.Stub(peImage(t, ""), nsis.Build(bf, o))
}

// sevenZipOf returns a stored 7-Zip archive of spec's Windows release.
func sevenZipOf(t *testing.T, s electronfix.Spec) []byte {
	names, files := windowsFiles(t, s)
	var bf []sevenz.BuildFile
	for _, n := range names {
		bf = append(bf, sevenz.BuildFile{Name: n, Data: files[n]})
	}
	return sevenz.Build(bf)
}

// zipBytes returns a zip archive of files, deflated, in name order.
func zipBytes(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	return zipBytesAt(t, 0, files)
}

// squirrelSetupOf returns a stand-in for Squirrel.Windows's Setup.exe
// whose package is a zip of Update.exe and the .nupkg holding spec's
// Windows release under lib/net45/.
func squirrelSetupOf(t *testing.T, s electronfix.Spec) []byte {
	names, files := windowsFiles(t, s)
	lib := map[string][]byte{"Chatterbox.nuspec": []byte("<package/>")}
	for _, n := range names {
		lib["lib/net45/"+n] = files[n]
	}
	pkg := zipBytes(t, map[string][]byte{"Update.exe": peImage(t, "update"), "Chatterbox-1.4.0-full.nupkg": zipBytes(t, lib)})
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: 3, ID: 1, Data: []byte("icon")}, {Type: "DATA", ID: squirrel.PackageID, Data: pkg}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// checkInstalledApp checks that the inventory of an installer found the
// Electron application of electronfix.Clean installed at home: its
// package.json, runtime version, npm packages and binaries.
func checkInstalledApp(t *testing.T, inv *Inventory, home string) {
	t.Helper()
	if inv.Layout != LayoutInstaller {
		t.Errorf("layout %s", inv.Layout)
	}
	_, files := windowsFiles(t, electronfix.Clean())
	if inv.App.Name != "chatterbox" || inv.App.Version != "1.4.0" || inv.App.Asar != home+"/resources/app.asar" || inv.Electron.Version != "30.1.2" {
		t.Errorf("app %+v, electron %+v", inv.App, inv.Electron)
	}
	if ff := binaryAt(inv, home+"/ffmpeg.dll"); ff == nil || ff.SHA256 != sum(files["ffmpeg.dll"]) || ff.Version != "30.1.2" {
		t.Errorf("ffmpeg.dll: %+v", ff)
	}
	if node := binaryAt(inv, home+"/resources/app.asar.unpacked/node_modules/fastsql/build/Release/fastsql.node"); node == nil || node.Version != "5.1.6" {
		t.Errorf("fastsql.node: %+v", node)
	}
	if len(inv.Packages) == 0 {
		t.Error("no npm packages")
	}
}

// TestInstallerNSISInventory: `sbom setup.exe` on an NSIS installer
// inventories the application it installs, stored, deflated and solid.
func TestInstallerNSISInventory(t *testing.T) {
	t.Parallel()
	for _, o := range []nsis.BuildOptions{{}, {Deflate: true}, {Deflate: true, Solid: true}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "acme-setup.exe", nsisSetup(t, electronfix.Clean(), o))
			inv := openRelease(t, p)
			for _, f := range inv.Findings {
				t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
			}
			checkInstalledApp(t, inv, "acme-setup.exe/$INSTDIR")
		})
	}
}

// TestInstallerSevenZipInventory: a .7z of the application, on its own
// and as electron-builder ships it (in its NSIS installer's
// $PLUGINSDIR\app-64.7z), is inventoried.
func TestInstallerSevenZipInventory(t *testing.T) {
	t.Parallel()
	arc := sevenZipOf(t, electronfix.Clean())
	dir := t.TempDir()
	checkInstalledApp(t, openRelease(t, writeFile(t, dir, "app-64.7z", arc)), "app-64.7z")
	in := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$PLUGINSDIR\app-64.7z`, Data: arc}}, nsis.BuildOptions{Deflate: true, Solid: true}))
	inv := openRelease(t, writeFile(t, dir, "setup.exe", in))
	checkInstalledApp(t, inv, "setup.exe/$PLUGINSDIR/app-64.7z")
	if f := fileAt(inv, "setup.exe/$PLUGINSDIR/app-64.7z"); f == nil || f.SHA256 != sum(arc) {
		t.Errorf("the archive itself: %+v", f)
	}
}

// TestInstallerSquirrelInventory: a Squirrel Setup.exe's package, and the
// .nupkg in it, are opened: the application under lib/net45 is found.
func TestInstallerSquirrelInventory(t *testing.T) {
	t.Parallel()
	inv := openRelease(t, writeFile(t, t.TempDir(), "Setup.exe", squirrelSetupOf(t, electronfix.Clean())))
	for _, f := range inv.Findings {
		t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
	}
	checkInstalledApp(t, inv, "Setup.exe/Chatterbox-1.4.0-full.nupkg/lib/net45")
	if binaryAt(inv, "Setup.exe/Update.exe") == nil {
		t.Error("Update.exe is not inventoried")
	}
}

// diffInstallers checks that the diff of the installers old and new finds
// what the diff of the two Windows release folders finds, under at.
func diffInstallers(t *testing.T, oldName string, old []byte, newName string, new []byte, at string) {
	t.Helper()
	dir := t.TempDir()
	oldDir := writeRelease(t, filepath.Join(dir, "old"), electronfix.Windows, electronfix.Clean())
	newDir := writeRelease(t, filepath.Join(dir, "new"), electronfix.Windows, electronfix.Trojanized())
	dirDiff := Diff(openRelease(t, oldDir), openRelease(t, newDir))
	rep, err := DiffReleases(context.Background(), writeFile(t, dir, oldName, old), writeFile(t, dir, newName, new), DiffOptions{Inventory: Options{Signatures: fixtureSignatures(t)}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range dirDiff.Findings {
		f.Path = at + f.Path
		want = append(want, findingKeys([]signing.Finding{f})...)
	}
	slices.Sort(want)
	if got := findingKeys(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Contains(want, "error "+string(RuleChangedSameVersion)+" "+at+"ffmpeg.dll") {
		t.Errorf("the directory diff does not flag ffmpeg.dll: %q", want)
	}
	if rep.Summary.Passed {
		t.Error("the gate passed a trojanized installer")
	}
}

// TestDiffInstallerNSIS is 3CX's case shipped as an NSIS installer: the
// diff of two installers finds ffmpeg.dll changed while Electron's version
// did not, and every other change the folders' diff finds, at the same
// place inside the installers.
func TestDiffInstallerNSIS(t *testing.T) {
	t.Parallel()
	o := nsis.BuildOptions{Deflate: true, Solid: true}
	diffInstallers(t, "acme-1.4.0-setup.exe", nsisSetup(t, electronfix.Clean(), o), "acme-1.4.1-setup.exe", nsisSetup(t, electronfix.Trojanized(), o), "acme-1.4.1-setup.exe/$INSTDIR/")
}

// TestDiffInstallerSquirrel is the same for two Squirrel Setup.exe files.
func TestDiffInstallerSquirrel(t *testing.T) {
	t.Parallel()
	diffInstallers(t, "Setup-1.4.0.exe", squirrelSetupOf(t, electronfix.Clean()), "Setup-1.4.1.exe", squirrelSetupOf(t, electronfix.Trojanized()), "Setup-1.4.1.exe/Chatterbox-1.4.0-full.nupkg/lib/net45/")
}

// TestDiffInstallerMakensis is TestDiffInstallerNSIS with installers
// makensis builds (LZMA, solid), skipped when it is not installed.
func TestDiffInstallerMakensis(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt-get install nsis); the makensis installer diff was skipped")
	}
	build := func(s electronfix.Spec) []byte {
		names, files := windowsFiles(t, s)
		dir := t.TempDir()
		script := "Unicode true\nSetCompressor /SOLID lzma\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\nSection\n"
		for i, n := range names {
			src := fmt.Sprintf("f%d/%s", i, filepath.Base(n))
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(src)), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, filepath.Dir(src)), filepath.Base(src), files[n])
			out := "$INSTDIR"
			if d := filepath.Dir(n); d != "." {
				out += `\` + strings.ReplaceAll(d, "/", `\`)
			}
			script += fmt.Sprintf("SetOutPath \"%s\"\nFile \"%s\"\n", out, strings.ReplaceAll(src, "/", `\`))
		}
		script += "SectionEnd\n"
		writeFile(t, dir, "t.nsi", []byte(script))
		cmd := exec.Command(tool, "-V1", "t.nsi")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("makensis: %v\n%s", err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "setup.exe"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	diffInstallers(t, "acme-1.4.0-setup.exe", build(electronfix.Clean()), "acme-1.4.1-setup.exe", build(electronfix.Trojanized()), "acme-1.4.1-setup.exe/$INSTDIR/")
}

// TestInstallerNSISNotOpened: an installer whose NSIS data cannot be read
// is a finding in the inventory and in the diff's report, never an empty
// inventory that looks clean; the installer itself is still listed.
func TestInstallerNSISNotOpened(t *testing.T) {
	t.Parallel()
	in := nsisSetup(t, electronfix.Clean(), nsis.BuildOptions{Deflate: true})
	at := bytes.Index(in, []byte("NullsoftInst")) - 8
	bad := append([]byte(nil), in...)
	bad[at+28+4] ^= 0xff // the compressed header's first byte
	dir := t.TempDir()
	p := writeFile(t, dir, "acme-1.4.1-setup.exe", bad)
	inv := openRelease(t, p)
	if got := findingKeys(inv.Findings); len(got) == 0 || !strings.HasSuffix(got[0], " acme-1.4.1-setup.exe") || !strings.HasPrefix(got[0], "error ") {
		t.Errorf("findings %q", got)
	}
	if fileAt(inv, "acme-1.4.1-setup.exe") == nil {
		t.Error("the installer itself is not inventoried")
	}
	rep, err := DiffReleases(context.Background(), writeFile(t, dir, "acme-1.4.0-setup.exe", in), p, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Passed || len(rep.Findings) == 0 {
		t.Errorf("the diff passed an installer it could not open: %q", findingKeys(rep.Findings))
	}
}

// TestInstallerSevenZipEncrypted: a 7-Zip archive whose files are
// encrypted is a finding, not an empty inventory.
func TestInstallerSevenZipEncrypted(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("7za")
	if err != nil {
		if tool, err = exec.LookPath("7z"); err != nil {
			t.Skip("7-Zip is not installed (apt-get install p7zip-full); the encrypted 7z test was skipped")
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "a.dll", peImage(t, "a"))
	cmd := exec.Command(tool, "a", "-bd", "-psecret", "app.7z", "a.dll")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7z: %v\n%s", err, out)
	}
	inv := openRelease(t, filepath.Join(dir, "app.7z"))
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"warning file/unchecked-archive app.7z"}) {
		t.Errorf("findings %q", got)
	}
}

// TestInstallerNamesLeaveInstaller: names that climb out of an NSIS
// installer, a 7-Zip archive or a Squirrel package are findings, and no
// path of the inventory holds "..".
func TestInstallerNamesLeaveInstaller(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "evil")
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "DATA", ID: squirrel.PackageID, Data: zipBytes(t, map[string][]byte{"../../evil.dll": dll})}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"setup.exe", nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\..\..\Windows\evil.dll`, Data: dll}}, nsis.BuildOptions{Deflate: true}))},
		{"app.7z", sevenz.Build([]sevenz.BuildFile{{Name: `..\..\evil.dll`, Data: dll}})},
		{"Setup.exe", setup},
	} {
		inv := openRelease(t, writeFile(t, t.TempDir(), c.name, c.data))
		if got := findingKeys(inv.Findings); !slices.Contains(got, "error "+string(release.RuleInsecurePath)+" "+c.name) {
			t.Errorf("%s: findings %q", c.name, got)
		}
		for _, f := range inv.Files {
			if strings.Contains(f.Path, "..") {
				t.Errorf("%s: path %q", c.name, f.Path)
			}
		}
	}
}

// TestInstallerSevenZipInNSISInMSI opens a 7-Zip archive in an NSIS
// installer that is an MSI's custom action, three containers deep, and
// stops at release.MaxDepth with a finding when nested further.
func TestInstallerSevenZipInNSISInMSI(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "deep")
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "a.dll", Data: dll}})
	setup := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$PLUGINSDIR\app-64.7z`, Data: arc}}, nsis.BuildOptions{Deflate: true}))
	m := msiSpec{files: map[string][]byte{"x.txt": []byte("x")}, binary: map[string][]byte{"Setup": setup}}.build()
	inv := openRelease(t, writeFile(t, t.TempDir(), "setup.msi", m))
	if b := binaryAt(inv, "setup.msi/Binary/Setup/$PLUGINSDIR/app-64.7z/a.dll"); b == nil || b.SHA256 != sum(dll) {
		t.Errorf("binaries %+v", inv.Binaries)
	}
	// Deeper: 7z in NSIS in NSIS in NSIS in the MSI; the 7z is at depth 4.
	deep := setup
	for range 2 {
		deep = nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\in.exe`, Data: deep}}, nsis.BuildOptions{Deflate: true}))
	}
	m = msiSpec{files: map[string][]byte{"x.txt": []byte("x")}, binary: map[string][]byte{"Setup": deep}}.build()
	inv = openRelease(t, writeFile(t, t.TempDir(), "setup.msi", m))
	at := "setup.msi/Binary/Setup/$INSTDIR/in.exe/$INSTDIR/in.exe/$PLUGINSDIR/app-64.7z"
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"error " + string(release.RuleUnreadable) + " " + at}) {
		t.Errorf("findings %q", got)
	}
	if fileAt(inv, at) == nil || binaryAt(inv, at+"/a.dll") != nil {
		t.Errorf("files %+v", inv.Files)
	}
}

// TestInstallerNSISBomb: a cabinet bomb inside an NSIS installer is
// charged to the installer's expansion budget and refused with a finding.
func TestInstallerNSISBomb(t *testing.T) {
	t.Parallel()
	bomb := cabBomb()
	in := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\bomb.cab`, Data: bomb}}, nsis.BuildOptions{Deflate: true}))
	inv := openRelease(t, writeFile(t, t.TempDir(), "setup.exe", in))
	if got := findingKeys(inv.Findings); !slices.Contains(got, "error "+string(release.RuleUnreadable)+" setup.exe/$INSTDIR/bomb.cab") {
		t.Errorf("findings %q", got)
	}
}

func cabBomb() []byte { return cab.BuildBomb(200) }

// TestInstallerNSISSharedData: an installer that extracts one data block
// to two paths (makensis stores identical files once) has the file at
// both paths in its inventory, as a folder of the installed files would,
// and the note saying so.
func TestInstallerNSISSharedData(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "shared")
	in := nsis.Stub(peImage(t, ""), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: dll}, {Name: `$INSTDIR\sub\b.dll`, SetOffset: true, Offset: 0}}, nsis.BuildOptions{Deflate: true}))
	inv := openRelease(t, writeFile(t, t.TempDir(), "setup.exe", in))
	for _, p := range []string{"setup.exe/$INSTDIR/a.dll", "setup.exe/$INSTDIR/sub/b.dll"} {
		if b := binaryAt(inv, p); b == nil || b.SHA256 != sum(dll) {
			t.Errorf("%s: %+v", p, b)
		}
	}
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"note " + "nsis/shared-data" + " setup.exe/$INSTDIR/sub/b.dll"}) {
		t.Errorf("findings %q", got)
	}
}
