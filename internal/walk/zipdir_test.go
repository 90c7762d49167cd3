package walk

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/zipend"
)

// zipOf returns a zip archive of n stored entries named f00.txt on.
func zipOf(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%02d.txt", i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(w, i)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chunkNames returns the entry names of z read a chunk at a time, or
// false when ZipChunks leaves z to the whole reader.
func chunkNames(t *testing.T, z []byte, chunkLen int) ([]string, []int, bool) {
	t.Helper()
	r := bytes.NewReader(z)
	chunks, ok := ZipChunks(r, int64(len(z)), int64(len(z))-zipend.Len, chunkLen)
	if !ok {
		return nil, nil, false
	}
	var names []string
	var lens []int
	for _, c := range chunks {
		zr, err := c.Reader(r)
		if err != nil {
			t.Fatal(err)
		}
		lens = append(lens, len(zr.File))
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
	}
	return names, lens, true
}

// TestZipChunksMatchWhole: an archive read a chunk of its central
// directory at a time gives archive/zip's whole reader's entries, in
// order, plain and in ZIP64 form; one of no more records than a chunk is
// left to the whole reader.
func TestZipChunksMatchWhole(t *testing.T) {
	z := zipOf(t, 20)
	z64, err := fixtures.Zip64(z, 0)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range zr.File {
		want = append(want, f.Name)
	}
	for name, a := range map[string][]byte{"plain": z, "zip64": z64} {
		got, lens, ok := chunkNames(t, a, 7)
		if !ok || !slices.Equal(got, want) || !slices.Equal(lens, []int{7, 7, 6}) {
			t.Errorf("%s: chunked read = %v %v %v, want %v in 7, 7, 6", name, ok, lens, got, want)
		}
	}
	if _, _, ok := chunkNames(t, z, 20); ok {
		t.Error("an archive of one chunk's records was chunked")
	}
}

// TestZipChunksRefuseShiftedDirectory: a central directory that does not
// start where its end record says (a self-extractor's stub before it) is
// left to the whole reader, which finds it.
func TestZipChunksRefuseShiftedDirectory(t *testing.T) {
	z := append([]byte("MZ stub"), zipOf(t, 20)...)
	if _, _, ok := chunkNames(t, z, 7); ok {
		t.Error("a shifted central directory was chunked")
	}
	if _, _, ok := chunkNames(t, z[:len(z)-1], 7); ok {
		t.Error("an archive cut short was chunked")
	}
}

// TestZipFilesByChunks: ZipFiles reads a large archive's entries by
// chunks, each its own reader, and a small one whole; both in order.
func TestZipFilesByChunks(t *testing.T) {
	z := zipOf(t, 20)
	for _, c := range []struct{ chunkLen, readers int }{{7, 3}, {20, 1}, {ZipChunkLen, 1}} {
		files, readers, err := ZipFiles(bytes.NewReader(z), int64(len(z)), c.chunkLen)
		if err != nil || len(readers) != c.readers || len(files) != 20 || files[19].Name != "f19.txt" {
			t.Errorf("chunks of %d: %d files in %d readers, %v; want 20 in %d", c.chunkLen, len(files), len(readers), err, c.readers)
		}
	}
	if _, _, err := ZipFiles(bytes.NewReader(z[:len(z)-1]), int64(len(z)-1), 7); err == nil {
		t.Error("an archive cut short read without error")
	}
}
