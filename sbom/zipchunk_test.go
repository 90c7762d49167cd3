package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestZipChunkedInventoryMatchesWhole: a zip release whose central
// directory is read a chunk at a time (walk.ZipFiles, as verify reads its
// input) gives the inventory the whole reader gives, findings about
// entries of other chunks (a duplicate name, a name leaving the archive)
// included.
func TestZipChunkedInventoryMatchesWhole(t *testing.T) {
	t.Parallel()
	for _, c := range walktest.ZipCases(t) {
		if c.ChunkLen == 0 {
			continue
		}
		p := filepath.Join(t.TempDir(), "release.zip")
		if err := os.WriteFile(p, c.Zip, 0o644); err != nil {
			t.Fatal(err)
		}
		whole, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		chunked, err := Open(p, WithZipChunkLenForTest(Options{}, c.ChunkLen))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.MarshalIndent(whole, "", " ")
		b, _ := json.MarshalIndent(chunked, "", " ")
		if !bytes.Equal(a, b) {
			t.Errorf("%s: chunked inventory differs:\nwhole:\n%s\nchunked:\n%s", c.Name, a, b)
		}
	}
}
