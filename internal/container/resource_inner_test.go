package container

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackResourceInstallerPayloadInside: a wrapper that keeps its MSI
// or cabinet as a resource behind a header of its own (a length, a
// name), and writes out the bytes past it, held its payload where
// shipgate never looked: only a resource starting with the container's
// signature was opened, so the signed stub passed and the files it
// installs were never checked. 7-Zip's cabinet reader finds a cabinet's
// signature anywhere. The container is handed over from its signature.
func TestAttackResourceInstallerPayloadInside(t *testing.T) {
	t.Parallel()
	app := msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"app.exe": []byte("MZ evil")}})
	db := cfb.Build(app)
	cabinet := cab.Build([]cab.BuildFile{{Name: "tool.exe", Data: []byte("MZ tool")}}, cab.BuildOptions{})
	hdr := []byte("WRAPv1\x00\x00setup.msi\x00\x00\x00")
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{
		{TypeID: squirrel.RTRCData, ID: 1, Data: append(bytes.Clone(hdr), db...)},
		{Type: "FILES", Name: "TOOLS", Data: append([]byte{0x40, 0, 0, 0}, cabinet...)},
		{TypeID: squirrel.RTRCData, ID: 3, Data: []byte("just data, MSCF but not an archive, not a cabinet at all")},
		{TypeID: 3, ID: 4, Data: append(bytes.Clone(hdr), cabinet...)}, // an icon: not searched
	})
	if err != nil {
		t.Fatal(err)
	}
	if k := Detect(bytes.NewReader(setup), ".exe", setup[:HeadLen], int64(len(setup))); k != Squirrel {
		t.Fatalf("kind %v, want %v", k, Squirrel)
	}
	w := walkAll(t, Squirrel, setup, "wrapper.exe", nil, 0)
	want := []string{"wrapper.exe/$RSRC/10/1/1033", "wrapper.exe/$RSRC/FILES/TOOLS/1033"}
	got := slices.Sorted(slices.Values(w.paths))
	if !slices.Equal(got, want) {
		t.Fatalf("entries %q, want %q", got, want)
	}
	if !bytes.Equal(w.entries[want[0]], db) || !bytes.Equal(w.entries[want[1]], cabinet) {
		t.Error("an entry is not its container's bytes")
	}
	if len(w.finds) != 0 {
		t.Errorf("findings %q", w.finds)
	}
}

// TestResourceCabinetInside7z: 7-Zip, given a PE that keeps a cabinet
// behind a header in a resource, finds the cabinet's signature and
// extracts its file, as the walker now hands the cabinet over.
func TestResourceCabinetInside7z(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip (7z) is not installed; the cross-check was skipped")
	}
	cabinet := cab.Build([]cab.BuildFile{{Name: "tool.exe", Data: []byte("MZ tool")}}, cab.BuildOptions{})
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "FILES", Name: "TOOLS", Data: append([]byte{0x40, 0, 0, 0}, cabinet...)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "wrapper.exe")
	if err := os.WriteFile(p, setup, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "x", "-o"+filepath.Join(dir, "x"), p).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x", "tool.exe")); err != nil || string(b) != "MZ tool" {
		t.Fatalf("7z did not extract the cabinet's file: %q, %v", b, err)
	}
	w := walkAll(t, Squirrel, setup, "wrapper.exe", nil, 0)
	if e := w.entries["wrapper.exe/$RSRC/FILES/TOOLS/1033"]; !bytes.Equal(e, cabinet) {
		t.Errorf("entries %q", w.paths)
	}
}
