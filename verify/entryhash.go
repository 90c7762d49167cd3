package verify

import (
	"bytes"
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
//
// The archive's hash and the entries' run at once, on two goroutines, so
// that the pass takes about as long as hashing the archive alone. The pass
// also notes where the signature of a zip end record ("PK\x05\x06") occurs,
// so that an entry without one in its last bytes is not read again to look
// for a zip archive at its end (see findZip).
type entryHasher struct {
	w     io.Writer // the archive's hash
	pos   int64     // bytes written so far
	spans []entrySpan
	next  int // the first span not finished
	h     hash.Hash
	sums  map[string][]byte
	noZip map[string]bool // entries noZipEnd holds for
	// zipEnds holds the offsets of zip end record signatures, ascending;
	// carry the last bytes of the previous write.
	zipEnds []int64
	carry   []byte
}

// zipEndSig is the signature of a zip end of central directory record.
var zipEndSig = []byte("PK\x05\x06")

type entrySpan struct {
	start, end int64
	name       string
}

func newEntryHasher(w io.Writer, fsys fs.FS, size int64) *entryHasher {
	x := &entryHasher{w: w, h: sha256.New(), sums: map[string][]byte{}, noZip: map[string]bool{}}
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
	done := make(chan struct{})
	go func() {
		x.hashEntries(p)
		close(done)
	}()
	_, err := x.w.Write(p)
	<-done
	x.pos += int64(len(p))
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// noZipEnd reports whether the bytes [start, end) hashed so far have no
// zip end record signature in their last zipTailLen bytes.
func (x *entryHasher) noZipEnd(start, end int64) bool {
	lo := max(start, end-zipTailLen)
	i := sort.Search(len(x.zipEnds), func(i int) bool { return x.zipEnds[i] >= lo })
	return i == len(x.zipEnds) || x.zipEnds[i] > end-eocdLen
}

// hashEntries feeds p, the bytes at x.pos, to the entries' hashes and
// looks for zip end record signatures in it.
func (x *entryHasher) hashEntries(p []byte) {
	// A signature across the previous write and this one.
	if len(x.carry) > 0 {
		j := append(x.carry, p[:min(len(p), len(zipEndSig)-1)]...)
		if i := bytes.Index(j, zipEndSig); i >= 0 {
			x.zipEnds = append(x.zipEnds, x.pos-int64(len(x.carry))+int64(i))
		}
	}
	for off := 0; ; {
		i := bytes.Index(p[off:], zipEndSig)
		if i < 0 {
			break
		}
		x.zipEnds = append(x.zipEnds, x.pos+int64(off+i))
		off += i + 1
	}
	k := min(len(p), len(zipEndSig)-1)
	x.carry = append(x.carry[:0], p[len(p)-k:]...)
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
		if x.noZipEnd(s.start, s.end) {
			x.noZip[s.name] = true
		}
		x.h.Reset()
		x.next++
	}
}
