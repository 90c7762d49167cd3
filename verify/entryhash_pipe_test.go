package verify

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// shortReader returns at most n bytes a read.
type shortReader struct {
	r io.Reader
	n int
}

func (s shortReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// TestEntryHasherReadFromMatchesWrite checks that the pipelined pass
// (ReadFrom) learns the same facts of every entry, and the same archive
// hash, as writes in lock step do, whatever the reads' sizes (across its
// buffers' boundaries too), and that a read error ends it with that error.
func TestEntryHasherReadFromMatchesWrite(t *testing.T) {
	t.Parallel()
	zipEnd := append([]byte("PK\x05\x06"), make([]byte, eocdLen-4)...)
	var files []electronfix.AsarFile
	for i := range 40 {
		data := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i*9000)
		switch i % 3 {
		case 0:
			data = append(data, zipEnd...)
		case 1:
			data = append(append(data, jsBegin...), 'x')
		}
		files = append(files, electronfix.AsarFile{Path: string(rune('a'+i%26)) + string(rune('0'+i/26)) + ".js", Data: data})
	}
	arc := packAsar(files)
	ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	hw := sha256.New()
	want := newEntryHasher(hw, ar, int64(len(arc)))
	want.Write(arc)
	if len(want.facts) != len(files) {
		t.Fatalf("lock step: facts of %d entries, want %d", len(want.facts), len(files))
	}
	for _, hdr := range []int{0, 1, 4096} {
		for _, n := range []int{1 << 20, 256 << 10, 70000, 4093} {
			hr := sha256.New()
			x := newEntryHasher(hr, ar, int64(len(arc)))
			x.Write(arc[:hdr])
			got, err := x.ReadFrom(shortReader{bytes.NewReader(arc[hdr:]), n})
			if err != nil || got != int64(len(arc)-hdr) {
				t.Fatalf("header %d, reads of %d: ReadFrom = %d, %v", hdr, n, got, err)
			}
			if !reflect.DeepEqual(x.facts, want.facts) {
				t.Errorf("header %d, reads of %d: facts differ from the lock step pass", hdr, n)
			}
			if !bytes.Equal(hr.Sum(nil), hw.Sum(nil)) {
				t.Errorf("header %d, reads of %d: archive hash differs", hdr, n)
			}
		}
	}
	bad := errors.New("disk on fire")
	x := newEntryHasher(io.Discard, ar, int64(len(arc)))
	r := io.MultiReader(bytes.NewReader(arc[:len(arc)/2]), iotest.ErrReader(bad))
	if _, err := x.ReadFrom(r); !errors.Is(err, bad) {
		t.Errorf("ReadFrom over a failing reader: %v, want %v", err, bad)
	}
}
