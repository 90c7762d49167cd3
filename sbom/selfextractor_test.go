package sbom

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/verify"
)

// sfxFile is one file of a self-extractor's payload.
type sfxFile struct{ name, data string }

// selfExtractor writes name in dir: a PE stub followed by a zip of files,
// as a Go or 7-Zip SFX ships, and returns its path.
func selfExtractor(t *testing.T, dir, name string, files ...sfxFile) string {
	t.Helper()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, append(peImage(t, ""), zb.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A trojanized DLL inside a self-extractor's zip, its version unchanged,
// is shown by the diff: the archive verify walks is inventoried too, and
// the two executables' names (setup-1.0.exe, setup-1.1.exe) are matched
// with the files under them.
func TestDiffSelfExtractorZip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old, err := Open(selfExtractor(t, dir, "setup-1.0.exe", sfxFile{"app/app.dll", string(peImage(t, "clean"))}, sfxFile{"app/readme.txt", "hi"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	nw, err := Open(selfExtractor(t, dir, "setup-1.1.exe", sfxFile{"app/app.dll", string(peImage(t, "clean with a payload"))}, sfxFile{"app/readme.txt", "hi"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, b := range old.Binaries {
		paths = append(paths, b.Path)
	}
	if len(paths) != 2 || paths[0] != "setup-1.0.exe" || paths[1] != "setup-1.0.exe/app/app.dll" {
		t.Fatalf("old binaries = %q, want setup-1.0.exe and setup-1.0.exe/app/app.dll", paths)
	}
	d := Diff(old, nw)
	found := false
	for _, f := range d.Findings {
		found = found || f.Rule == RuleChangedSameVersion && f.Path == "setup-1.1.exe/app/app.dll"
	}
	if !found {
		t.Fatalf("diff findings %+v: the changed DLL inside the self-extractor's zip is not reported", d.Findings)
	}
}

// Bytes after a PE that are no zip archive (here a stray end record
// signature, its directory nowhere) leave the release one file, the
// record reported file/zip-invalid, as verify reports it.
func TestSelfExtractorNotZip(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "tool.exe")
	tail := "PK\x05\x06" + string(make([]byte, 8)) + "\x50\x00\x00\x00\x10\x00\x00\x00\x00\x00"
	if err := os.WriteFile(p, append(peImage(t, "overlay"), tail...), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Layout != LayoutFile || len(inv.Binaries) != 1 || inv.Binaries[0].Path != "tool.exe" {
		t.Fatalf("layout %s, binaries %+v: want tool.exe alone", inv.Layout, inv.Binaries)
	}
	rep, err := verify.Release(context.Background(), verify.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	got, want := endFindings(inv.Findings), endFindings(rep.Findings)
	if len(got) != 1 || !strings.HasPrefix(got[0], string(release.RuleZipInvalid)+" tool.exe ") || !slices.Equal(got, want) {
		t.Errorf("sbom reports %q, verify %q", got, want)
	}
}

// A name leaving the archive inside a self-extractor's zip is reported
// and not inventoried.
func TestSelfExtractorZipInsecurePath(t *testing.T) {
	t.Parallel()
	p := selfExtractor(t, t.TempDir(), "setup.exe", sfxFile{"../evil.dll", string(peImage(t, "evil"))}, sfxFile{"ok.txt", "ok"})
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range inv.Findings {
		found = found || f.Rule == release.RuleInsecurePath && f.Path == "setup.exe"
	}
	if !found {
		t.Fatalf("findings %+v: no %s for ../evil.dll", inv.Findings, release.RuleInsecurePath)
	}
	for _, b := range inv.Binaries {
		if b.Path != "setup.exe" {
			t.Fatalf("binary %s inventoried", b.Path)
		}
	}
}
