package sbom

import (
	"bytes"
	"io"
	"sync/atomic"
	"testing"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/testpki"
)

// countedReaderAt counts the bytes read through it.
type countedReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c countedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestSFXOverlayReadOnce checks that a 7-Zip self-extractor of a release
// (a PE, 4 MiB of padding, then its archive, which 7-Zip's modules search
// for) is read once as it is hashed: that pass also feeds the search for
// the archive, which telling the PE's container and walking it used to
// read again, up to 8 MiB each time.
func TestSFXOverlayReadOnce(t *testing.T) {
	t.Parallel()
	app := peImage(t, "app")
	pad := make([]byte, 4<<20)
	testpki.NewRand(1).Read(pad)
	pad = bytes.ReplaceAll(pad, []byte(sevenz.Signature[:2]), []byte("xx"))
	img := append(peImage(t, "stub"), pad...)
	img = append(img, sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: app}})...)
	var n atomic.Int64
	it := &item{path: "setup.exe", open: func() (io.ReaderAt, int64, io.Closer, error) {
		return countedReaderAt{bytes.NewReader(img), &n}, int64(len(img)), io.NopCloser(nil), nil
	}}
	b := &builder{inv: &Inventory{}, items: []*item{it}}
	b.hashAll(b.items)
	if it.installer != container.Attached || it.sha256 != sum(img) {
		t.Fatalf("setup.exe: installer %v, sha256 %s", it.installer, it.sha256)
	}
	b.openInstallers()
	var listed *item
	for _, e := range b.items {
		if e.path == "setup.exe/app.exe" {
			listed = e
		}
	}
	if listed == nil || listed.sha256 != sum(app) {
		t.Fatalf("setup.exe/app.exe: %+v, findings %v", listed, b.inv.Findings)
	}
	size := int64(len(img))
	t.Logf("read %d bytes of a %d-byte file (%.2fx)", n.Load(), size, float64(n.Load())/float64(size))
	if got := n.Load(); got > size+size/8 {
		t.Errorf("read %d bytes of a %d-byte file: its overlay was read again", got, size)
	}
}
