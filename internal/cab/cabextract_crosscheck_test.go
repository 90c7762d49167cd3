package cab

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCabextractMSZIP has cabextract (libmspack) extract a single MSZIP
// cabinet Build writes and compares every file's bytes: text that repeats
// across blocks (matches into the previous block's window), noise, a
// run of zeros (a single match distance, whose code compress/flate wrote
// incomplete and libmspack refused), an empty and a small file.
func TestCabextractMSZIP(t *testing.T) {
	t.Parallel()
	ce, err := exec.LookPath("cabextract")
	if err != nil {
		t.Skip("cabextract is not installed (apt-get install cabextract); the cross-check against libmspack was skipped")
	}
	files := append(sampleFiles(), BuildFile{Name: "zeros.bin", Data: make([]byte, 100000)},
		BuildFile{Name: "abc.txt", Data: bytes.Repeat([]byte("abcdefghij"), 7000)})
	dir := t.TempDir()
	in := filepath.Join(dir, "in.cab")
	if err := os.WriteFile(in, Build(files, BuildOptions{Method: MethodMSZIP}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if b, err := exec.Command(ce, "-q", "-d", out, in).CombinedOutput(); err != nil {
		t.Fatalf("cabextract: %v: %s", err, b)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(strings.ReplaceAll(f.Name, `\`, "/"))))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s: cabextract wrote %d bytes that differ from the %d written", f.Name, len(got), len(f.Data))
		}
	}
}
