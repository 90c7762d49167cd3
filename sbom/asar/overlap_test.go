package asar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// overlapBomb returns an archive of n files that all name the same data
// range of size bytes: a header of about 40 bytes per entry over one range.
func overlapBomb(n, size int) []byte {
	var h strings.Builder
	h.WriteString(`{"files":{`)
	for i := range n {
		if i > 0 {
			h.WriteByte(',')
		}
		fmt.Fprintf(&h, `"f%05d.bin":{"size":%d,"offset":"0"}`, i, size)
	}
	h.WriteString(`}}`)
	return raw(h.String(), strings.Repeat("A", size))
}

// readAll opens and reads every regular file of ar, as a release walker
// does, and returns how many it could open.
func readAll(t testing.TB, ar *Reader) int {
	opened := 0
	err := fs.WalkDir(ar, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if _, err := ar.VerifyFile(p); err != nil && !errors.Is(err, ErrNoIntegrity) {
			return nil
		}
		opened++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return opened
}

// TestOverlappingEntries checks that packed files sharing or overlapping a
// data range are reported under asar/overlapping-entries, naming both
// entries and the offset, and that only the first of them stays readable.
// Bytes only a refused entry names are read by nothing and are also
// reported as asar/unowned-data.
func TestOverlappingEntries(t *testing.T) {
	cases := []struct {
		name   string
		json   string
		data   string
		bad    map[string]string // path -> the entry it overlaps
		offset int64             // data offset of the first problem
		// unowned is the data offset and size of the bytes no readable
		// entry holds, when there are some.
		unowned [2]int64
	}{
		{"disjoint", `{"files":{"a":{"size":2,"offset":"0"},"b":{"size":2,"offset":"2"},"e":{"size":0,"offset":"2"},"f":{"size":0,"offset":"2"}}}`, "abcd", nil, 0, [2]int64{}},
		{"same range", `{"files":{"a":{"size":4,"offset":"0"},"b":{"size":4,"offset":"0"}}}`, "abcd", map[string]string{"b": "a"}, 0, [2]int64{}},
		{"inside", `{"files":{"a":{"size":4,"offset":"0"},"b":{"size":1,"offset":"2"}}}`, "abcd", map[string]string{"b": "a"}, 2, [2]int64{}},
		{"straddles", `{"files":{"a":{"size":3,"offset":"0"},"d":{"files":{"b":{"size":3,"offset":"2"}}}}}`, "abcdef", map[string]string{"d/b": "a"}, 2, [2]int64{3, 3}},
		{"after a long one", `{"files":{"a":{"size":6,"offset":"0"},"b":{"size":1,"offset":"1"},"c":{"size":1,"offset":"4"}}}`, "abcdef", map[string]string{"b": "a", "c": "a"}, 1, [2]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := raw(c.json, c.data)
			ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			var unowned [2]int64
			for _, p := range ar.Problems() {
				if errors.Is(p.Err, ErrUnownedData) {
					unowned = [2]int64{p.Offset - ar.DataOffset(), p.Size}
					continue
				}
				if !errors.Is(p.Err, ErrOverlap) {
					t.Errorf("unexpected problem %v", p)
					continue
				}
				f := p.Finding()
				if f.Rule != "asar/overlapping-entries" {
					t.Errorf("rule = %s", f.Rule)
				}
				for other := range strings.SplitSeq("a d/b", " ") {
					if strings.Contains(p.Detail, " "+other+" ") {
						got[p.Path] = other
					}
				}
				if p.Path == "b" || p.Path == "d/b" {
					if want := ar.DataOffset() + c.offset; p.Offset != want {
						t.Errorf("offset = %d, want %d", p.Offset, want)
					}
				}
				if _, err := ar.Open(p.Path); !errors.Is(err, ErrOverlap) {
					t.Errorf("Open(%s) = %v, want ErrOverlap", p.Path, err)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.bad) && !(len(got) == 0 && len(c.bad) == 0) {
				t.Errorf("overlaps = %v, want %v", got, c.bad)
			}
			if unowned != c.unowned {
				t.Errorf("unowned data (offset, size) = %v, want %v", unowned, c.unowned)
			}
			if _, err := ar.Open("a"); err != nil {
				t.Errorf("the first entry is unreadable: %v", err)
			}
		})
	}
}

// TestOverlapBombReadsEachByteOnce bounds the work a small header can cause:
// 10,000 entries over one 1 MiB range read that range once, not 10,000
// times.
func TestOverlapBombReadsEachByteOnce(t *testing.T) {
	const n, size = 10000, 1 << 20
	b := overlapBomb(n, size)
	cr := &countingReaderAt{r: bytes.NewReader(b)}
	ar, err := NewReader(cr, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ar.Problems()); got != n-1 {
		t.Errorf("%d problems, want %d", got, n-1)
	}
	before := cr.n.Load()
	if opened := readAll(t, ar); opened != 1 {
		t.Errorf("%d files read, want 1", opened)
	}
	if read := cr.n.Load() - before; read > int64(len(b)) {
		t.Errorf("read %d bytes of a %d-byte archive", read, len(b))
	}
}

// BenchmarkOverlapBomb opens and hashes every readable file of an archive
// whose 1,000 entries all name one 1 MiB range.
func BenchmarkOverlapBomb(b *testing.B) {
	arc := overlapBomb(1000, 1<<20)
	b.SetBytes(int64(len(arc)))
	b.ReportAllocs()
	for b.Loop() {
		ar, err := NewReader(bytes.NewReader(arc), int64(len(arc)))
		if err != nil {
			b.Fatal(err)
		}
		readAll(b, ar)
	}
}
