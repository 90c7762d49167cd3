package sbom

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"github.com/shipgate/shipgate/internal/wixlfix"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
	"github.com/shipgate/shipgate/verify"
)

// msiSpec is a fixture installer: files (by installed path under
// "Acme App", or under ProgramFilesFolder when flat) in one embedded MSZIP
// cabinet app.cab, and Binary-table custom actions by key (see
// msi.BuildInstaller).
type msiSpec struct {
	files   map[string][]byte
	binary  map[string][]byte
	rename  map[string]string // installed path -> the File table's FileName instead
	streams map[string][]byte // extra streams by name
	cab     string            // the cabinet's stream name (default app.cab)
	flat    bool              // files install to ProgramFilesFolder ("."), not "Acme App"
}

func (s msiSpec) build() []byte {
	folder := "ACME~1|Acme App"
	if s.flat {
		folder = ""
	}
	return cfb.Build(msi.BuildInstaller(msi.Installer{Folder: folder, Files: s.files, Rename: s.rename, Cabinet: s.cab, Binary: s.binary, Streams: s.streams}))
}

// electronMSI returns the Windows release of spec packed as an installer
// whose custom action is the release's ffmpeg.dll.
func electronMSI(t testing.TB, s electronfix.Spec) msiSpec {
	t.Helper()
	r, err := electronfix.Windows(s)
	if err != nil {
		t.Fatal(err)
	}
	return msiSpec{files: r.Files, binary: map[string][]byte{"CustomDll": r.Files["ffmpeg.dll"]}}
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func binaryAt(inv *Inventory, p string) *Binary {
	for i := range inv.Binaries {
		if inv.Binaries[i].Path == p {
			return &inv.Binaries[i]
		}
	}
	return nil
}

func fileAt(inv *Inventory, p string) *File {
	for i := range inv.Files {
		if inv.Files[i].Path == p {
			return &inv.Files[i]
		}
	}
	return nil
}

// TestInstallerMSIInventory inventories an MSI as verify walks it: the
// installer itself, the files of its embedded cabinet at their installed
// paths (subfolders from the Directory table), and its custom-action DLL
// under Binary/; each PE a Binary with its hash, version resource and
// signature summary.
func TestInstallerMSIInventory(t *testing.T) {
	t.Parallel()
	r, err := electronfix.Windows(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	spec := electronMSI(t, electronfix.Clean())
	p := writeFile(t, t.TempDir(), "acme-1.4.0.msi", spec.build())
	inv, err := Open(p, Options{Signatures: fixtureSignatures(t)})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Layout != LayoutInstaller {
		t.Errorf("layout %s", inv.Layout)
	}
	for _, f := range inv.Findings {
		t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
	}
	const at = "acme-1.4.0.msi/app.cab/Acme App/"
	if fileAt(inv, "acme-1.4.0.msi") == nil {
		t.Error("the installer itself is not inventoried")
	}
	for n, data := range r.Files {
		if strings.HasPrefix(n, "resources/app.asar") {
			continue // read as the application's archive
		}
		f := fileAt(inv, at+n)
		if f == nil || f.SHA256 != sum(data) || f.Size != int64(len(data)) {
			t.Errorf("%s: %+v", n, f)
		}
	}
	exe := binaryAt(inv, at+electronfix.AppName+".exe")
	if exe == nil || exe.Kind != KindPE || exe.FileVersion != "1.4.0.0" || exe.Signature == nil || exe.Signature.Status != signing.StatusValid || exe.Signature.Signer == nil {
		t.Errorf("exe: %+v", exe)
	}
	ff := binaryAt(inv, at+"ffmpeg.dll")
	if ff == nil || ff.SHA256 != sum(r.Files["ffmpeg.dll"]) || ff.Signature == nil || ff.Signature.Status != signing.StatusUnsigned {
		t.Errorf("ffmpeg.dll: %+v", ff)
	}
	d3d := binaryAt(inv, at+"d3dcompiler_47.dll")
	if d3d == nil || d3d.FileVersion != "10.0.20348.1" || d3d.Signature == nil || d3d.Signature.Status != signing.StatusValid {
		t.Errorf("d3dcompiler_47.dll: %+v", d3d)
	}
	if ca := binaryAt(inv, "acme-1.4.0.msi/Binary/CustomDll"); ca == nil || ca.SHA256 != ff.SHA256 || ca.Version != "1.4.0" {
		t.Errorf("custom action: %+v", ca)
	}
	// The application the installer installs is read as a Windows layout.
	if inv.App.Name != "chatterbox" || inv.App.Version != "1.4.0" || inv.App.Asar != at+"resources/app.asar" ||
		inv.Electron.Version != "30.1.2" || inv.Electron.VersionSource != "version file" {
		t.Errorf("app %+v, electron %+v", inv.App, inv.Electron)
	}
	if ff.Version != "30.1.2" {
		t.Errorf("ffmpeg.dll's version %q, want Electron's", ff.Version)
	}
	node := binaryAt(inv, at+"resources/app.asar.unpacked/node_modules/fastsql/build/Release/fastsql.node")
	if node == nil || node.Package != at+"resources/app.asar/node_modules/fastsql" || node.Version != "5.1.6" {
		t.Errorf("fastsql.node: %+v", node)
	}
	if len(inv.Electron.Integrity) != 1 || !inv.Electron.Integrity[0].Match {
		t.Errorf("integrity %+v", inv.Electron.Integrity)
	}
}

// TestDiffInstallerMSIs is 3CX's case as the diff sees it: two signed
// releases' installers, named by version, compared file to file inside,
// with the application they install read as a Windows layout: every
// finding of the diff of the two release folders (ffmpeg.dll changed while
// Electron's version did not and gained a signer, d3dcompiler_47.dll's
// signature blob padded, tinycolor changed, the fuse turned on…) is found
// at the same place inside the installers, and nothing else but the
// custom action's new signer.
func TestDiffInstallerMSIs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldDir := writeRelease(t, filepath.Join(dir, "old"), electronfix.Windows, electronfix.Clean())
	newDir := writeRelease(t, filepath.Join(dir, "new"), electronfix.Windows, electronfix.Trojanized())
	dirDiff := Diff(openRelease(t, oldDir), openRelease(t, newDir))
	oldP := writeFile(t, dir, "acme-1.4.0.msi", electronMSI(t, electronfix.Clean()).build())
	newP := writeFile(t, dir, "acme-1.4.1.msi", electronMSI(t, electronfix.Trojanized()).build())
	rep, err := DiffReleases(context.Background(), oldP, newP, DiffOptions{Inventory: Options{Signatures: fixtureSignatures(t)}})
	if err != nil {
		t.Fatal(err)
	}
	const at = "acme-1.4.1.msi/app.cab/Acme App/"
	var want []string
	for _, f := range dirDiff.Findings {
		f.Path = at + f.Path
		want = append(want, findingKeys([]signing.Finding{f})...)
	}
	want = append(want, "warning "+string(RuleSignerChanged)+" acme-1.4.1.msi/Binary/CustomDll")
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
	if rep.Diff.App.Old != "1.4.0" || rep.Diff.App.New != "1.4.1" {
		t.Errorf("app %+v", rep.Diff.App)
	}
}

// TestInstallerCAB inventories a cabinet's files under its name, and a
// cabinet inside a cabinet too.
func TestInstallerCAB(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "cab")
	inner := cab.Build([]cab.BuildFile{{Name: `bin\inner.dll`, Data: dll}}, cab.BuildOptions{})
	c := cab.Build([]cab.BuildFile{{Name: `app\tool.dll`, Data: dll}, {Name: "readme.txt", Data: []byte("hi")}, {Name: "more.cab", Data: inner}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	p := writeFile(t, t.TempDir(), "data.cab", c)
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Layout != LayoutInstaller || len(inv.Findings) != 0 {
		t.Errorf("layout %s, findings %+v", inv.Layout, inv.Findings)
	}
	for _, b := range []string{"data.cab/app/tool.dll", "data.cab/more.cab/bin/inner.dll"} {
		if bin := binaryAt(inv, b); bin == nil || bin.SHA256 != sum(dll) {
			t.Errorf("%s: %+v", b, bin)
		}
	}
	if fileAt(inv, "data.cab/readme.txt") == nil || fileAt(inv, "data.cab/more.cab") == nil {
		t.Errorf("files %+v", inv.Files)
	}
}

// TestInstallerPkg inventories a macOS installer package's payload: the
// app bundle's Mach-O files under the package's component folders, with
// their signatures as Options.Signatures reports them.
func TestInstallerPkg(t *testing.T) {
	t.Parallel()
	mp := machofile.NewPKI()
	bundle := machofile.ExampleBundle(mp)
	b, _ := pkgfile.Build(pkgfile.Spec{Files: pkgfile.Product("com.example.app", "1.4.0", bundle, true)})
	p := writeFile(t, t.TempDir(), "Example-1.4.0.pkg", b)
	var (
		mu    sync.Mutex // Signatures is called from the hashing workers
		kinds []string
	)
	inv, err := Open(p, Options{Signatures: func(_ io.ReaderAt, _ int64, kind string) ([]signing.Signature, error) {
		mu.Lock()
		defer mu.Unlock()
		kinds = append(kinds, kind)
		return nil, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Layout != LayoutInstaller {
		t.Errorf("layout %s", inv.Layout)
	}
	for _, f := range inv.Findings {
		if f.Rule != pkg.RuleInstallScript { // the package reader's, about the postinstall
			t.Errorf("finding %s %s: %s", f.Rule, f.Path, f.Message)
		}
	}
	n := 0
	for name, f := range bundle {
		if f.Link != "" || f.Mode.IsDir() {
			continue
		}
		q := "Example-1.4.0.pkg/app.pkg/Payload/Applications/" + name
		got := fileAt(inv, q)
		if got == nil || got.SHA256 != sum(f.Data) {
			t.Errorf("%s: %+v", q, got)
		}
		if bin := binaryAt(inv, q); bin != nil {
			n++
			if bin.Signature == nil {
				t.Errorf("%s: signatures not examined", q)
			}
		}
	}
	if n == 0 || len(kinds) != n {
		t.Errorf("%d Mach-O binaries, %d signature calls", n, len(kinds))
	}
	if fileAt(inv, "Example-1.4.0.pkg/app.pkg/Scripts/postinstall") == nil {
		t.Error("the postinstall script is not inventoried")
	}
}

// TestInstallerBomb keeps a cabinet whose folders share their data blocks
// to declare terabytes from being decompressed, on its own and embedded in
// an MSI: the expansion budget verify applies refuses it, a finding says
// so, and the installer itself is still inventoried.
func TestInstallerBomb(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bomb := cab.BuildBomb(200)
	msiBomb := msiSpec{files: map[string][]byte{"a.dll": peImage(t, "a")}, binary: map[string][]byte{"Bomb": bomb}}.build()
	for _, c := range []struct{ name, at string }{
		{"bomb.cab", "bomb.cab"},
		{"bomb.msi", "bomb.msi/Binary/Bomb"},
	} {
		data := bomb
		if c.name == "bomb.msi" {
			data = msiBomb
		}
		inv, err := Open(writeFile(t, dir, c.name, data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := findingKeys(inv.Findings); !slices.Contains(got, "error "+string(release.RuleUnreadable)+" "+c.at) {
			t.Errorf("%s: findings %q", c.name, got)
		}
		if fileAt(inv, c.name) == nil {
			t.Errorf("%s: the installer is not inventoried", c.name)
		}
	}
}

// TestInstallerNestedDepth opens cabinets in cabinets to verify's depth
// and reports the one below.
func TestInstallerNestedDepth(t *testing.T) {
	t.Parallel()
	c := cab.Build([]cab.BuildFile{{Name: "x.dll", Data: peImage(t, "x")}}, cab.BuildOptions{})
	for range release.MaxDepth {
		c = cab.Build([]cab.BuildFile{{Name: "in.cab", Data: c}}, cab.BuildOptions{})
	}
	inv, err := Open(writeFile(t, t.TempDir(), "deep.cab", c), Options{})
	if err != nil {
		t.Fatal(err)
	}
	deepest := "deep.cab" + strings.Repeat("/in.cab", release.MaxDepth)
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"error " + string(release.RuleUnreadable) + " " + deepest}) {
		t.Errorf("findings %q", got)
	}
	if fileAt(inv, deepest) == nil || len(inv.Binaries) != 0 {
		t.Errorf("files %+v, binaries %+v", inv.Files, inv.Binaries)
	}
}

// TestInstallerHostileNames keeps a File table name that climbs out of the
// installer from becoming a path of the inventory: the file is listed under
// its key and the name is an error, as verify reports it.
func TestInstallerHostileNames(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "evil")
	spec := msiSpec{files: map[string][]byte{"evil.dll": dll}, rename: map[string]string{"evil.dll": `..\..\evil.dll`}}
	inv, err := Open(writeFile(t, t.TempDir(), "setup.msi", spec.build()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"error " + string(release.RuleInsecurePath) + " setup.msi"}) {
		t.Errorf("findings %q", got)
	}
	if b := binaryAt(inv, "setup.msi/app.cab/F1"); b == nil || b.SHA256 != sum(dll) {
		t.Errorf("binaries %+v", inv.Binaries)
	}
	for _, f := range inv.Files {
		if strings.Contains(f.Path, "..") {
			t.Errorf("path %q", f.Path)
		}
	}
}

// TestInstallerPathCollision is a crafted MSI whose embedded cabinet is
// named "Binary" and installs a file CustomDll to the root, so that the
// cabinet's file and the Binary table's custom action (which Windows
// Installer runs) share one path: the inventory keeps the first and
// reports the second rather than let one hide the other; so does a zip
// holding a file at the path of a file inside its installer.
func TestInstallerPathCollision(t *testing.T) {
	t.Parallel()
	spec := msiSpec{cab: "Binary", flat: true, files: map[string][]byte{"CustomDll": peImage(t, "benign")},
		binary: map[string][]byte{"CustomDll": peImage(t, "evil")}}
	inv, err := Open(writeFile(t, t.TempDir(), "setup.msi", spec.build()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKeys(inv.Findings); !slices.Equal(got, []string{"error " + string(release.RuleDuplicateEntry) + " setup.msi/Binary/CustomDll"}) {
		t.Errorf("findings %q", got)
	}
	// A zip holding both an installer and a file under the installer's
	// name as a folder: the zip's file is listed, the installer's is
	// reported.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("setup.msi")
	w.Write(msiSpec{binary: map[string][]byte{"CustomDll": peImage(t, "evil")}}.build())
	w, _ = zw.Create("setup.msi/Binary/CustomDll")
	w.Write(peImage(t, "benign"))
	zw.Close()
	inv, err = Open(writeFile(t, t.TempDir(), "release.zip", zb.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKeys(inv.Findings); !slices.Contains(got, "error "+string(release.RuleDuplicateEntry)+" setup.msi/Binary/CustomDll") {
		t.Errorf("zip: findings %q", got)
	}
}

// TestInstallerNamesAsVerify has verify and sbom open the same installer
// (files in folders, a nested cabinet, a custom action, a stream no table
// names) given on its own, in a folder and in a zip: they name the same
// files, and report the same findings about the installer's contents.
func TestInstallerNamesAsVerify(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "x")
	nested := cab.Build([]cab.BuildFile{{Name: `lib\inner.dll`, Data: dll}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	spec := msiSpec{
		files:   map[string][]byte{"bin/a.dll": dll, "bin/sub/b.dll": dll, "readme.txt": []byte("hi"), "extra.cab": nested},
		binary:  map[string][]byte{"CustomDll": dll},
		streams: map[string][]byte{"Extra": dll},
	}
	data := spec.build()
	dir := t.TempDir()
	lone := writeFile(t, dir, "setup.msi", data)
	folder := filepath.Join(dir, "folder")
	os.MkdirAll(filepath.Join(folder, "win"), 0o755)
	writeFile(t, folder, "win/setup.msi", data)
	writeFile(t, folder, "README", []byte("hi"))
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("win/setup.msi")
	w.Write(data)
	w, _ = zw.Create("README") // else sbom reads the zip from inside win/
	w.Write([]byte("hi"))
	zw.Close()
	zp := writeFile(t, dir, "release.zip", zb.Bytes())
	for _, c := range []struct {
		name, path, at string
		files          int
	}{
		{"alone", lone, "setup.msi", 8},
		{"in a folder", folder, "win/setup.msi", 9},
		{"in a zip", zp, "win/setup.msi", 9},
	} {
		// verify names a zip's files under the zip's name.
		inv, rep, got, want := sbomAndVerify(t, c.path, "release.zip/")
		if !slices.Equal(got, want) {
			t.Errorf("%s: sbom lists\n%s\nverify\n%s", c.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(got) != c.files || !slices.Contains(got, c.at+"/app.cab/Acme App/extra.cab/lib/inner.dll") || binaryAt(inv, c.at+"/Binary/CustomDll") == nil {
			t.Errorf("%s: %d files, want %d: %q", c.name, len(got), c.files, got)
		}
		var vf []string
		for _, f := range rep.Findings {
			if f.Rule == verify.RuleMSIUnreferencedData {
				f.Path = strings.TrimPrefix(f.Path, "release.zip/")
				vf = append(vf, findingKeys([]signing.Finding{f})...)
			}
		}
		if sf := findingKeys(inv.Findings); len(vf) == 0 || !slices.Equal(sf, vf) {
			t.Errorf("%s: sbom finds %q, verify %q", c.name, sf, vf)
		}
	}
}

// TestInstallerLargeDataStreamed hashes a cabinet's large file that is no
// code as it is decompressed, holding none of it: a cabinet of zeros does
// not fill the memory. A large package.json so streamed is not read again
// (its Open fails) and does not stop the inventory.
func TestInstallerLargeDataStreamed(t *testing.T) {
	t.Parallel()
	zeros := make([]byte, 20<<20)
	pj := append([]byte(`{"name":"x","version":"1.0.0"}`), bytes.Repeat([]byte(" "), 17<<20)...)
	dll := peImage(t, "small")
	c := cab.Build([]cab.BuildFile{{Name: "data.bin", Data: zeros}, {Name: "app.dll", Data: dll},
		{Name: `App\resources\app\package.json`, Data: pj}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	p := writeFile(t, t.TempDir(), "data.cab", c)
	b := &builder{root: p, inv: &Inventory{}, opts: Options{Logger: slog.New(slog.DiscardHandler)}}
	defer b.close()
	if err := b.listContainer(container.CAB); err != nil {
		t.Fatal(err)
	}
	if b.installerHeld != int64(len(dll)) {
		t.Errorf("%d bytes held, want the DLL's %d", b.installerHeld, len(dll))
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := fileAt(inv, "data.cab/data.bin"); f == nil || f.SHA256 != sum(zeros) || f.Size != int64(len(zeros)) {
		t.Errorf("data.bin: %+v", f)
	}
	if f := fileAt(inv, "data.cab/App/resources/app/package.json"); f == nil || f.SHA256 != sum(pj) {
		t.Errorf("package.json: %+v", f)
	}
	if binaryAt(inv, "data.cab/app.dll") == nil {
		t.Errorf("binaries %+v", inv.Binaries)
	}
}

// TestInstallerFromMsitools inventories an MSI msitools' wixl built and a
// cabinet gcab built around versioned, signed DLLs: each DLL is listed at
// the path verify reports it under, with its hash, version resource and
// signature. Skipped when the tools are absent.
func TestInstallerFromMsitools(t *testing.T) {
	t.Parallel()
	r, err := electronfix.Windows(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	exe, d3d := r.Files[electronfix.AppName+".exe"], r.Files["d3dcompiler_47.dll"]
	src, out := t.TempDir(), t.TempDir()
	writeFile(t, src, "app.exe", exe)
	writeFile(t, src, "d3d.dll", d3d)
	check := func(inv *Inventory, at string) {
		t.Helper()
		for _, c := range []struct {
			name, version string
			data          []byte
		}{{"app.exe", "1.4.0.0", exe}, {"d3d.dll", "10.0.20348.1", d3d}} {
			b := binaryAt(inv, at+c.name)
			if b == nil || b.SHA256 != sum(c.data) || b.FileVersion != c.version || b.Signature == nil || b.Signature.Status != signing.StatusValid {
				t.Errorf("%s%s: %+v", at, c.name, b)
			}
		}
	}
	t.Run("wixl", func(t *testing.T) {
		msi := wixlfix.Build(t, wixlfix.Spec{Version: "1.4.0", Files: []wixlfix.File{
			{ID: "AppExe", Name: "app.exe", Data: exe},
			{ID: "D3D", Name: "d3d.dll", Data: d3d},
		}})
		inv, err := Open(msi, Options{Signatures: fixtureSignatures(t)})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Layout != LayoutInstaller || len(inv.Findings) != 0 {
			t.Errorf("layout %s, findings %+v", inv.Layout, inv.Findings)
		}
		check(inv, "setup.msi/app.cab/Acme App/")
	})
	t.Run("gcab", func(t *testing.T) {
		gcab, err := exec.LookPath("gcab")
		if err != nil {
			t.Skip("gcab is not installed (apt-get install gcab); the cross-check against another cabinet writer was skipped")
		}
		cmd := exec.Command(gcab, "-c", "-z", filepath.Join(out, "app.cab"), "app.exe", "d3d.dll")
		cmd.Dir = src
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcab: %v: %s", err, b)
		}
		inv, err := Open(filepath.Join(out, "app.cab"), Options{Signatures: fixtureSignatures(t)})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Layout != LayoutInstaller || len(inv.Findings) != 0 {
			t.Errorf("layout %s, findings %+v", inv.Layout, inv.Findings)
		}
		check(inv, "app.cab/")
	})
}

// sbomAndVerify inventories path and has verify check it; it returns both
// results and the paths each lists, sorted, verify's without the prefix
// strip.
func sbomAndVerify(t *testing.T, path, strip string) (inv *Inventory, rep *verify.Report, got, want []string) {
	t.Helper()
	inv, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = verify.Release(context.Background(), verify.Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range inv.Files {
		got = append(got, f.Path)
	}
	for _, f := range rep.Files {
		want = append(want, strings.TrimPrefix(f.Path, strip))
	}
	slices.Sort(got)
	slices.Sort(want)
	return inv, rep, got, want
}
