package sbom

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// peHeaderFar returns peImage's image with its PE headers copied to 0x2000
// and e_lfanew pointing there: past the 4096 bytes sniffed, where the
// loader (and verify, which reads there) still finds them.
func peHeaderFar(t *testing.T) []byte {
	t.Helper()
	img := peImage(t, "")
	const at = 0x2000
	out := make([]byte, at+0x200)
	copy(out, img)
	lfanew := binary.LittleEndian.Uint32(img[0x3c:])
	copy(out[at:], img[lfanew:0x200])
	binary.LittleEndian.PutUint32(out[0x3c:], at)
	return out
}

// TestSelfExtractorPEHeaderPastHead: a self-extractor whose PE header lies
// past the first 4096 bytes is a PE to verify, which walks its zip; sbom
// took it for no release at all (so vuln matched none of the packages
// inside, and diff could not compare it), and did not list its zip.
func TestSelfExtractorPEHeaderPastHead(t *testing.T) {
	t.Parallel()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app/app.dll")
	w.Write(peImage(t, "inside"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "setup.exe")
	if err := os.WriteFile(p, append(peHeaderFar(t), zb.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, b := range inv.Binaries {
		paths = append(paths, b.Path)
	}
	if len(paths) != 2 || paths[1] != "setup.exe/app/app.dll" {
		t.Fatalf("binaries %q, want setup.exe and setup.exe/app/app.dll", paths)
	}
}
