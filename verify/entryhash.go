package verify

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"io/fs"
	"sort"

	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing/dmg"
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
// that the pass takes about as long as hashing the archive alone; the
// search for zip end records and the copies of first bytes run on the
// archive hash's, the rest on the entries', to even them out. The pass
// also looks in each entry's last bytes for the signature of a zip end
// record ("PK\x05\x06") and, in a .js entry's, for the begin line of a
// JScript signature block, so that an entry without one is not read again
// to look for a zip archive at its end (see findZip) or for a signature
// block (see windowsKind). It keeps the first bytes of entries, up to
// headBudget bytes in all, so that their checks need not read them again
// to tell their kind.
type entryHasher struct {
	w     io.Writer // the archive's hash
	pos   int64     // bytes written so far
	spans []entrySpan
	next  int // the first span the entries' goroutine has not finished
	h     hash.Hash
	facts map[string]entryFacts
	// done holds the facts of the spans before next; published counts
	// those in facts.
	done      []entryFacts
	published int
	// zipNext is the first span the archive's goroutine has not
	// finished; zipEndIn reports, for each before it, whether it has a
	// zip end record, and heads holds its first bytes (see head).
	zipNext  int
	zipEndIn []bool
	heads    [][]byte
	// zipEnd looks in the entry at zipNext, on the archive hash's
	// goroutine (which has less to do), jsSig in the entry being hashed.
	zipEnd, jsSig tailScan
	// koly collects the bytes of the entry being hashed where a disk
	// image's koly trailer would start (see walk.HasKoly); kolyN counts them.
	koly  [walk.KolyHead]byte
	kolyN int
	// blocks collects the digests of the integrity blocks of the entry
	// being hashed, when it has more than one (see entrySpan.blockSize);
	// bh hashes the block being read, inBlock counts its bytes so far.
	blocks  [][]byte
	bh      hash.Hash
	inBlock int64
	// head collects the first bytes of the entry at zipNext, within
	// arena; kept counts the bytes kept so far.
	head    []byte
	started bool // head is the span at zipNext's
	arena   []byte
	kept    int
	budget  int // headBudget; less in tests
}

// entryFacts is what the archive's pass learnt of an entry.
type entryFacts struct {
	sum []byte // its SHA-256
	// noZipEnd reports no zip end record signature in its last zipTailLen
	// bytes, noJSBlock (for a .js entry) no JScript signature block begin
	// line in it.
	noZipEnd, noJSBlock bool
	// noKoly reports that its last dmg.KolySize bytes are not a koly
	// trailer (see walk.HasKoly), or that it is shorter.
	noKoly bool
	// head, when not nil, holds its first min(size, sniffLen) bytes.
	head []byte
	// blocks holds the SHA-256 of each of its asar integrity blocks when
	// its header's integrity records more than one (of one, sum is the
	// digest): see asar.Reader.CheckDigests.
	blocks [][]byte
}

// headBudget bounds the bytes an archive's pass keeps of its entries' first
// bytes, and headArena the size of the blocks they are kept in.
const (
	headBudget = 16 << 20
	headArena  = 1 << 20
)

// zipEndSig is the signature of a zip end of central directory record.
var zipEndSig = []byte("PK\x05\x06")

type entrySpan struct {
	start, end int64
	name       string
	js         bool // a .js entry
	// blockSize is the size of the entry's integrity blocks when the
	// header records more than one, whose digests the pass computes; 0
	// otherwise.
	blockSize int64
}

func newEntryHasher(w io.Writer, fsys fs.FS, size int64) *entryHasher {
	x := &entryHasher{w: w, h: sha256.New(), facts: map[string]entryFacts{}, budget: headBudget,
		zipEnd: tailScan{sigs: [][]byte{zipEndSig}, at: 2, tail: zipTailLen, need: eocdLen},
		// The begin line's tail from "SIG", in UTF-8 and UTF-16LE,
		// anywhere in the entry (as hasJScriptBlock looks): a begin line
		// holds one, and one that is not a begin line costs only a second
		// look. Both start with 'S', looked for once.
		jsSig: tailScan{sigs: [][]byte{jsBegin[3:], jsBeginWide[6:]}, tail: 1 << 62}}
	ar := asarReaderOf(fsys)
	if ar == nil {
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
		x.spans = append(x.spans, entrySpan{start, start + e.Size, e.Path, isJSName(e.Path), integrityBlockSize(e)})
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
	x.done = make([]entryFacts, 0, len(out))
	x.zipEndIn = make([]bool, 0, len(out))
	x.heads = make([][]byte, 0, len(out))
	return x
}

func (x *entryHasher) Write(p []byte) (int, error) {
	done := make(chan struct{})
	go func() {
		x.hashEntries(p, x.pos)
		close(done)
	}()
	_, err := x.w.Write(p)
	x.scanZipEnds(p, x.pos)
	<-done
	x.publish()
	x.pos += int64(len(p))
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// publish puts the facts of the entries both goroutines have finished in
// x.facts.
func (x *entryHasher) publish() {
	for ; x.published < min(x.next, x.zipNext); x.published++ {
		f := x.done[x.published]
		f.noZipEnd, f.head = !x.zipEndIn[x.published], x.heads[x.published]
		x.facts[x.spans[x.published].name] = f
	}
}

// scanZipEnds looks in the last bytes of the entries in p, the bytes at
// from, for the signature of a zip end record, and keeps their first
// bytes.
func (x *entryHasher) scanZipEnds(p []byte, from int64) {
	to := from + int64(len(p))
	for x.zipNext < len(x.spans) {
		s := &x.spans[x.zipNext]
		if s.start > to {
			break
		}
		if !x.started {
			x.startHead(s.end - s.start)
			x.started = true
		}
		if lo, hi := max(s.start, from), min(s.end, to); lo < hi {
			if x.head != nil && len(x.head) < cap(x.head) {
				x.head = append(x.head, p[lo-from:min(hi, s.start+int64(cap(x.head)))-from]...)
			}
			x.zipEnd.scan(p[lo-from:hi-from], lo, s.start, s.end)
		}
		if s.end > to {
			break
		}
		x.zipEndIn = append(x.zipEndIn, x.zipEnd.found)
		x.heads = append(x.heads, x.head)
		x.head, x.started = nil, false
		x.zipEnd.reset()
		x.zipNext++
	}
}

// hashEntries feeds p, the bytes at from, to the entries' hashes and
// looks for JScript signature blocks in their last bytes.
func (x *entryHasher) hashEntries(p []byte, from int64) {
	to := from + int64(len(p))
	for x.next < len(x.spans) {
		s := &x.spans[x.next]
		if s.start > to {
			break
		}
		lo, hi := max(s.start, from), min(s.end, to)
		if lo < hi {
			x.h.Write(p[lo-from : hi-from])
			if s.blockSize > 0 {
				x.hashBlocks(p[lo-from:hi-from], s.blockSize)
			}
			if k := s.end - dmg.KolySize; k >= s.start && lo < k+walk.KolyHead && hi > k {
				a, b := max(lo, k), min(hi, k+walk.KolyHead)
				x.kolyN += copy(x.koly[a-k:], p[a-from:b-from])
			}
			if s.js {
				x.jsSig.scan(p[lo-from:hi-from], lo, s.start, s.end)
			}
		}
		if s.end > to {
			break
		}
		if x.inBlock > 0 {
			x.blocks = append(x.blocks, x.bh.Sum(nil))
			x.bh.Reset()
			x.inBlock = 0
		}
		x.done = append(x.done, entryFacts{sum: x.h.Sum(nil),
			noJSBlock: s.js && !x.jsSig.found,
			noKoly:    s.end-s.start < dmg.KolySize || (x.kolyN == walk.KolyHead && !walk.IsKoly(x.koly[:])),
			blocks:    x.blocks})
		x.kolyN = 0
		x.blocks = nil
		x.h.Reset()
		x.jsSig.reset()
		x.next++
	}
}

// hashBlocks feeds b, the next bytes of the entry being hashed, to the
// hashes of its integrity blocks of blockSize bytes, keeping the digest
// of each block it completes.
func (x *entryHasher) hashBlocks(b []byte, blockSize int64) {
	if x.bh == nil {
		x.bh = sha256.New()
	}
	for len(b) > 0 {
		n := min(int64(len(b)), blockSize-x.inBlock)
		x.bh.Write(b[:n])
		b, x.inBlock = b[n:], x.inBlock+n
		if x.inBlock == blockSize {
			x.blocks = append(x.blocks, x.bh.Sum(nil))
			x.bh.Reset()
			x.inBlock = 0
		}
	}
}

// startHead makes room for the first bytes of an entry of size bytes,
// when the budget allows.
func (x *entryHasher) startHead(size int64) {
	n := int(min(size, sniffLen))
	if x.kept+n > x.budget {
		x.head = nil
		return
	}
	if len(x.arena) < n {
		x.arena = make([]byte, headArena)
	}
	x.head, x.arena = x.arena[:0:n], x.arena[n:]
	x.kept += n
}

// tailScan looks for any of sigs in the last tail bytes of an entry, given
// its bytes in order, and reports whether one starts there with need bytes
// (and at least its own length) before the entry's end. The signatures
// share their byte at index at, so that one search for it serves them all.
type tailScan struct {
	sigs [][]byte
	// at is the index of the byte looked for: one rare in text (the zip
	// end record signature's 0x05) lets the search run through text
	// without stopping.
	at    int
	tail  int64
	need  int
	found bool
	// carry holds the last maxLen-1 bytes scanned, for a signature
	// across two calls.
	carry []byte
}

// scan looks at b, the bytes at off of an entry that spans [start, end).
func (t *tailScan) scan(b []byte, off, start, end int64) {
	if lo := max(start, end-t.tail); off < lo {
		if off+int64(len(b)) <= lo {
			return
		}
		b, off = b[lo-off:], lo
	}
	if t.found {
		return
	}
	k := 0
	for _, sig := range t.sigs {
		k = max(k, len(sig)-1)
	}
	if len(t.carry) > 0 {
		j := append(t.carry[:len(t.carry):len(t.carry)], b[:min(len(b), k)]...)
		for _, sig := range t.sigs {
			if i := bytes.Index(j, sig); i >= 0 && off-int64(len(t.carry))+int64(i)+int64(max(t.need, len(sig))) <= end {
				t.found = true
				return
			}
		}
		if len(b) < k {
			t.carry = append(t.carry[:0], j[max(0, len(j)-k):]...)
			return
		}
	}
	// A signature starting in b has its byte at ≥ t.at; one starting
	// before b was looked for in the carry.
	c := t.sigs[0][t.at]
	for o := t.at; o < len(b); o++ {
		i := bytes.IndexByte(b[o:], c)
		if i < 0 {
			break
		}
		o += i
		at := o - t.at
		for _, sig := range t.sigs {
			// The byte after the one found tells most stops from a
			// signature without a call.
			if o+1 < len(b) && t.at+1 < len(sig) && b[o+1] != sig[t.at+1] {
				continue
			}
			if bytes.HasPrefix(b[at:], sig) && off+int64(at)+int64(max(t.need, len(sig))) <= end {
				t.found = true
				return
			}
		}
	}
	t.carry = append(t.carry[:0], b[max(0, len(b)-k):]...)
}

func (t *tailScan) reset() { t.found, t.carry = false, t.carry[:0] }
