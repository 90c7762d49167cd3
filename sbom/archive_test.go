package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
)

type tarFile struct {
	name, link string
	data       []byte
	typ        byte
}

// npmTgz writes an npm package tarball (files under package/) to dir/name.
func npmTgz(t *testing.T, dir, name string, files ...tarFile) string {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Typeflag: f.typ, Linkname: f.link}
		if h.Typeflag == 0 {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func peImage(t *testing.T, tail string) []byte {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	return append(img, tail...)
}

func addonPackage(t *testing.T, dir, version, addonTail string) string {
	return npmTgz(t, dir, "addon-"+version+".tgz",
		tarFile{name: "package/package.json", data: []byte(`{"name":"native-addon","version":"` + version + `","dependencies":{"nan":"^2"}}`)},
		tarFile{name: "package/index.js", data: []byte("module.exports = require('./build/Release/addon.node')\n")},
		tarFile{name: "package/build/Release/addon.node", data: peImage(t, addonTail)},
	)
}

// Two versions of an npm package with a native addon, as npm publishes them
// (.tgz with a package/ prefix), inventory and diff like any release: the
// changed binary is shown.
func TestDiffNpmPackageTarballs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old, err := Open(addonPackage(t, dir, "1.0.0", "v1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	nw, err := Open(addonPackage(t, dir, "1.0.1", "v2 with a payload"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if old.Layout != LayoutNpm || old.App.Name != "native-addon" || old.App.Version != "1.0.0" || old.App.Dir != "package" {
		t.Errorf("old inventory: layout %s, app %+v", old.Layout, old.App)
	}
	if len(old.Binaries) != 1 || old.Binaries[0].Path != "package/build/Release/addon.node" || old.Binaries[0].Kind != KindPE || !old.Binaries[0].NodeAddon {
		t.Fatalf("old binaries: %+v", old.Binaries)
	}
	if len(old.Findings) != 0 {
		t.Errorf("findings: %+v", old.Findings)
	}
	d := Diff(old, nw)
	if d.App.Old != "1.0.0" || d.App.New != "1.0.1" {
		t.Errorf("app version change %+v", d.App)
	}
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "package/build/Release/addon.node" || d.Binaries[0].Change != "changed" ||
		d.Binaries[0].Old.SHA256 == d.Binaries[0].New.SHA256 {
		t.Errorf("binary deltas: %+v", d.Binaries)
	}
	// The same package twice: nothing changed.
	again, err := Open(addonPackage(t, t.TempDir(), "1.0.0", "v1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(old, again); len(d.Binaries) != 0 || len(d.Files) != 0 || len(d.Findings) != 0 {
		t.Errorf("identical packages differ: %+v", d)
	}
}

// A directory, a zip archive and a tarball with no Electron shape are
// releases all the same.
func TestOpenAnyRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.MkdirAll(filepath.Join(plain, "bin"), 0o755)
	os.WriteFile(filepath.Join(plain, "bin", "tool.exe"), peImage(t, ""), 0o644)
	os.WriteFile(filepath.Join(plain, "README"), []byte("hi"), 0o644)

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, data := range map[string][]byte{"bin/tool.exe": peImage(t, ""), "README": []byte("hi")} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "bin/stored.exe", Method: zip.Store})
	w.Write(peImage(t, "stored"))
	zw.Close()
	zp := filepath.Join(dir, "release.zip")
	os.WriteFile(zp, zb.Bytes(), 0o644)
	tp := npmTgz(t, dir, "release.tar.gz", tarFile{name: "./bin/tool.exe", data: peImage(t, "")}, tarFile{name: "./README", data: []byte("hi")},
		tarFile{name: "./bin/link", link: "../../etc/passwd", typ: tar.TypeSymlink})

	for _, c := range []struct {
		path, layout string
		bins         []string
		finds        []string
	}{
		{plain, LayoutFiles, []string{"bin/tool.exe"}, nil},
		{zp, LayoutFiles, []string{"bin/stored.exe", "bin/tool.exe"}, nil},
		{tp, LayoutFiles, []string{"bin/tool.exe"}, []string{string(RuleSymlinkEscape) + " bin/link"}},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			inv, err := Open(c.path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if inv.Layout != c.layout {
				t.Errorf("layout %s", inv.Layout)
			}
			var bins, finds []string
			for _, b := range inv.Binaries {
				bins = append(bins, b.Path)
			}
			for _, f := range inv.Findings {
				finds = append(finds, string(f.Rule)+" "+f.Path)
			}
			if strings.Join(bins, ",") != strings.Join(c.bins, ",") || strings.Join(finds, ",") != strings.Join(c.finds, ",") {
				t.Errorf("binaries %q, findings %q", bins, finds)
			}
		})
	}
}

func TestOpenFileThatIsNoRelease(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(p, []byte("just text"), 0o644)
	if inv, err := Open(p, Options{}); err == nil || !strings.Contains(err.Error(), "not a release") {
		t.Errorf("Open(text file) = %+v, %v", inv, err)
	}
}

// The tar reader's checks hold for the inventory too: bytes after the
// archive are a finding.
func TestOpenTarballTrailingData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := addonPackage(t, dir, "1.0.0", "")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append(b, "extra"...), 0o644)
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Findings) != 1 || inv.Findings[0].Rule != "file/tar-trailing-data" {
		t.Errorf("findings %+v", inv.Findings)
	}
}

// Release tarballs wrap their files in a folder named after the version:
// the inventory lists them under their paths in the archive, the folder's
// name included, as verify checks them, and two versions diff by path
// inside it, reported under the new folder's, whatever its name.
func TestDiffVersionedTarballs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func(top, tail string) *Inventory {
		p := npmTgz(t, dir, top+".tar.gz",
			tarFile{name: top + "/bin/tool.exe", data: peImage(t, tail)},
			tarFile{name: top + "/README", data: []byte("hi")})
		inv, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	for _, c := range []struct{ old, new string }{{"tool-1.0.0", "tool-1.1.0"}, {"tool-nightly", "tool-release"}} {
		old, nw := open(c.old, "a"), open(c.new, "b")
		if len(old.Binaries) != 1 || old.Binaries[0].Path != c.old+"/bin/tool.exe" {
			t.Fatalf("binaries %+v", old.Binaries)
		}
		d := Diff(old, nw)
		if len(d.Binaries) != 1 || d.Binaries[0].Change != "changed" || len(d.Files) != 1 || d.Files[0].Path != c.new+"/bin/tool.exe" {
			t.Errorf("%s → %s: binaries %+v, files %+v", c.old, c.new, d.Binaries, d.Files)
		}
	}
}

// An executable on its own is a release of one file, as verify takes it;
// two such releases diff file to file whatever their names. An installer
// the walker opens is LayoutInstaller, even when it is too broken to open
// (a finding says so: TestInstallerMalformed); a compound file or cabinet
// it does not open stays one file. A file of no such kind stays an error
// (TestOpenFileThatIsNoRelease).
func TestOpenSingleFileRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfb := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)
	for _, c := range []struct {
		name   string
		data   []byte
		bin    bool
		layout string
	}{
		{"setup.exe", peImage(t, "x"), true, LayoutFile},
		{"tool", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 57)...), true, LayoutFile},
		{"setup.msi", cfb, false, LayoutInstaller},
		{"document.doc", cfb, false, LayoutFile},
		{"data.cab", append([]byte("MSCF"), make([]byte, 16)...), false, LayoutFile},              // shorter than a header: not a cabinet the walker opens
		{"reserved.cab", append([]byte("MSCF\x01"), make([]byte, 60)...), false, LayoutInstaller}, // reserved1 not zero: a cabinet, as extractors check "MSCF" alone
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, c.data, 0o644)
		inv, err := Open(p, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if inv.Layout != c.layout || len(inv.Files) != 1 || inv.Files[0].Path != c.name || inv.Files[0].Size != int64(len(c.data)) {
			t.Errorf("%s: layout %s, files %+v", c.name, inv.Layout, inv.Files)
		}
		if got := len(inv.Binaries) == 1 && inv.Binaries[0].Path == c.name; got != c.bin {
			t.Errorf("%s: binaries %+v", c.name, inv.Binaries)
		}
	}
}

func TestDiffSingleFileReleases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func(name, tail string) *Inventory {
		p := filepath.Join(dir, name)
		os.WriteFile(p, peImage(t, tail), 0o644)
		inv, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	old, nw := open("setup-1.0.exe", "a"), open("setup-1.1.exe", "b")
	d := Diff(old, nw)
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "setup-1.1.exe" || d.Binaries[0].Change != "changed" ||
		d.Binaries[0].Old.Path != "setup-1.1.exe" || d.Binaries[0].Old.SHA256 == d.Binaries[0].New.SHA256 {
		t.Errorf("binaries %+v, want setup-1.1.exe changed", d.Binaries)
	}
	if len(d.Files) != 1 || d.Files[0].Path != "setup-1.1.exe" || d.Files[0].Change != "changed" {
		t.Errorf("files %+v", d.Files)
	}
	for _, f := range d.Findings {
		if f.Rule == RuleLayoutChanged {
			t.Errorf("finding %+v", f)
		}
	}
	if old.Files[0].Path != "setup-1.0.exe" || old.Binaries[0].Path != "setup-1.0.exe" {
		t.Errorf("Diff renamed the old inventory's file: %+v", old.Files)
	}
	if d := Diff(old, open("setup-1.0-again.exe", "a")); len(d.Binaries) != 0 || len(d.Files) != 0 {
		t.Errorf("the same installer under another name differs: %+v", d)
	}
}
