package container

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// spanReads is an io.ReaderAt that counts the bytes read within one span
// of the file.
type spanReads struct {
	r    io.ReaderAt
	span Span
	mu   sync.Mutex
	n    int64
}

func (s *spanReads) ReadAt(p []byte, off int64) (int, error) {
	n, err := s.r.ReadAt(p, off)
	if a, b := max(off, s.span.Offset), min(off+int64(n), s.span.Offset+s.span.Size); a < b {
		s.mu.Lock()
		s.n += b - a
		s.mu.Unlock()
	}
	return n, err
}

// TestPEResourcesReadOnce checks that telling a PE's container
// (DetectScanned) and walking it (its resources, then what it carries
// after its sections) read its resources once when given the same
// PEResources: each read searched the first 64 KiB of every data
// resource for a wrapped installer, so a PE was searched two or three
// times over. The walk's outcome is the same as without one.
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
	size := int64(len(img))
	rs, err := squirrel.Resources(bytes.NewReader(img), size)
	if err != nil || len(rs) != 2 {
		t.Fatalf("resources %+v, %v", rs, err)
	}
	lo, hi := min(rs[0].Offset, rs[1].Offset), max(rs[0].Offset+rs[0].Size, rs[1].Offset+rs[1].Size)
	var ns nsis.Scanner
	var sfx SFX7zScanner
	ns.Write(img)
	sfx.Write(img)
	walk := func(res *PEResources) (int64, walked) {
		r := &spanReads{r: bytes.NewReader(img), span: Span{lo, hi - lo}}
		if k := DetectScanned(r, ".exe", img[:HeadLen], size, &ns, &sfx, res); k != None {
			t.Fatalf("kind %v, want none", k)
		}
		w := walked{entries: map[string][]byte{}}
		for _, k := range []Kind{NSIS, Squirrel, Attached} {
			Walk(context.Background(), k, r, size, "setup.exe", nil, Visitor{
				Entry:     func(e Entry) { w.paths = append(w.paths, e.Path) },
				Finding:   func(f signing.Finding) { w.finds = append(w.finds, string(f.Rule)+" "+f.Path) },
				NSIS:      &ns,
				SFX7z:     &sfx,
				Resources: res,
			})
		}
		return r.n, w
	}
	alone, want := walk(nil)
	var res PEResources
	got, w := walk(&res)
	t.Logf("resources' bytes read: %d shared, %d each on its own", got, alone)
	// One read: each data resource's first 64 KiB searched for a wrapped
	// installer, the RT_RCDATA one's last 64 KiB for a zip's end record,
	// and headers.
	if once := int64(3*maxInnerScan + 4<<10); got > once {
		t.Errorf("read %d bytes of the resources with a shared PEResources (%d without), want them read once", got, alone)
	}
	if len(w.paths) != len(want.paths) || len(w.finds) != len(want.finds) {
		t.Errorf("walk with a shared PEResources: %q %q; without %q %q", w.paths, w.finds, want.paths, want.finds)
	}
}
