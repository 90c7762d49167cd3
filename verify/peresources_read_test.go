package verify

import (
	"bytes"
	"path/filepath"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestPEResourcesReadOnce checks that a PE's resources are read once per
// check: the overlay's check (is this an installer whose walk reads what
// follows the sections?) and the walk of its resources each parsed the
// resource directory and searched the start of every data resource for a
// wrapped installer (64 KiB each) and the end of an RT_RCDATA one for a
// zip's end record, reading them twice.
func TestPEResourcesReadOnce(t *testing.T) {
	t.Parallel()
	data := make([]byte, 200<<10)
	testpki.NewRand(7).Read(data)
	data = bytes.ReplaceAll(data, []byte("M"), []byte("m"))
	data = bytes.ReplaceAll(data, []byte{0xd0}, []byte{0xd1})
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{
		{TypeID: squirrel.RTRCData, ID: 1, Data: data},
		{Type: "FILES", Name: "MORE", Data: data[:100<<10]},
	})
	if err != nil {
		t.Fatal(err)
	}
	// An overlay, so that the overlay's check asks what the PE is.
	pad := make([]byte, 1<<20)
	testpki.NewRand(8).Read(pad)
	pad = bytes.ReplaceAll(pad, []byte("7z"), []byte("xx"))
	img = append(img, pad...)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string][]byte{"setup.exe": img})
	c := countReads(t)
	r := run(t, Options{hooks: c.hooks()}, dir)
	if fileByPath(r, "setup.exe") == nil {
		t.Fatalf("setup.exe not reported: %+v", r.Findings)
	}
	size := int64(len(img))
	got := c.n[filepath.Join(dir, "setup.exe")]
	t.Logf("read %d bytes of a %d-byte file (%d beyond one pass)", got, size, got-size)
	// One pass, then the resources once (two starts of 64 KiB, an
	// RT_RCDATA end of 64 KiB), and headers.
	if want := size + 3*64<<10 + 32<<10; got > want {
		t.Errorf("read %d bytes of a %d-byte file, want at most %d", got, size, want)
	}
}
