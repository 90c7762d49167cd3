package verify

import (
	"crypto/sha256"
	"hash"
	"io"
	"io/fs"
	"sort"

	"github.com/shipgate/shipgate/sbom/asar"
)

// entryHasher hashes an asar archive and, from the same bytes, each of its
// packed entries: entries are ranges of the archive's data area, so one
// pass over the archive gives every entry's SHA-256 as well, where hashing
// the entries on their own would read and hash the archive a second time.
// Only entries that lie wholly inside the archive and overlap no other are
// hashed here (any others are hashed by their own checks): the ranges are
// then disjoint, the work is one pass, and one hash is live at a time.
type entryHasher struct {
	w     io.Writer // the archive's hash
	pos   int64     // bytes written so far
	spans []entrySpan
	next  int // the first span not finished
	h     hash.Hash
	sums  map[string][]byte
}

type entrySpan struct {
	start, end int64
	name       string
}

func newEntryHasher(w io.Writer, fsys fs.FS, size int64) *entryHasher {
	x := &entryHasher{w: w, h: sha256.New(), sums: map[string][]byte{}}
	var ar *asar.Reader
	switch f := fsys.(type) {
	case *asar.Reader:
		ar = f
	case packedFS:
		ar = f.ar
	default:
		return x
	}
	base := ar.DataOffset()
	ar.Walk(func(e *asar.Entry) error {
		if e.Kind != asar.KindFile || e.Unpacked || e.Err() != nil || e.Offset < 0 || e.Size < 0 {
			return nil
		}
		start := base + e.Offset
		if start < base || start > size || e.Size > size-start {
			return nil
		}
		x.spans = append(x.spans, entrySpan{start, start + e.Size, e.Path})
		return nil
	})
	sort.Slice(x.spans, func(a, b int) bool {
		if x.spans[a].start != x.spans[b].start {
			return x.spans[a].start < x.spans[b].start
		}
		return x.spans[a].end < x.spans[b].end
	})
	// Drop every span that overlaps another (an empty one inside another
	// counts, as does one that starts where an empty one is).
	keep := make([]bool, len(x.spans))
	var end int64 = -1
	last := -1
	for k, s := range x.spans {
		keep[k] = true
		if k > 0 && (s.start < end || s.start == x.spans[k-1].start) {
			keep[k] = false
			keep[last] = false
		}
		if s.end > end || last < 0 {
			end, last = s.end, k
		}
	}
	out := x.spans[:0]
	for k, s := range x.spans {
		if keep[k] {
			out = append(out, s)
		}
	}
	x.spans = out
	return x
}

func (x *entryHasher) Write(p []byte) (int, error) {
	if _, err := x.w.Write(p); err != nil {
		return 0, err
	}
	from, to := x.pos, x.pos+int64(len(p))
	for x.next < len(x.spans) {
		s := &x.spans[x.next]
		if s.start > to {
			break
		}
		lo, hi := max(s.start, from), min(s.end, to)
		if lo < hi {
			x.h.Write(p[lo-from : hi-from])
		}
		if s.end > to {
			break
		}
		x.sums[s.name] = x.h.Sum(nil)
		x.h.Reset()
		x.next++
	}
	x.pos = to
	return len(p), nil
}
