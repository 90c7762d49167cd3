package authenticode

import (
	"crypto"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"math/bits"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// bufSize is the read size of the single pass over the file. It is a multiple
// of 8, so every read but the last starts and ends on a checksum word.
const bufSize = 1 << 20

// span is a half-open byte range [start, end) of the file.
type span struct{ start, end int64 }

// imageHasher feeds one hash per distinct algorithm with the bytes of the
// Authenticode image hash: every byte except the excluded spans.
type imageHasher struct {
	algs    []crypto.Hash
	hashers []hash.Hash
	exclude []span // sorted, disjoint
	pad     int    // zero bytes appended at the end (unsigned files)
}

// pageJob computes a page-hash table of one algorithm while the file
// streams by.
type pageJob struct {
	alg   crypto.Hash
	pages []page // sorted by first segment start
	next  int
	live  []int
	sums  [][]byte // by position in pages
	order []int    // order[k] is the table index of pages[k]
}

// page is one entry of a page-hash table: the file offset it is listed at,
// the spans it hashes and how many zero bytes follow them.
type page struct {
	offset int64
	segs   []span
	fill   int
	h      hash.Hash
}

// checksummer computes the PE checksum: the sum of the file's little-endian
// 16-bit words with end-around carry (a one's-complement sum, computed here
// 64 bits at a time, which is equivalent), CheckSum counted as zero, folded to
// 16 bits, plus the file length.
type checksummer struct {
	sum   uint64
	carry uint64
}

// write adds p, whose offset in the file is a multiple of 8, to the sum:
// one carry chain, 64 bytes a turn (the carry is kept in a register only
// within a turn: 19 GB/s where 32 bytes a turn ran at 15).
func (c *checksummer) write(p []byte) {
	s, cy := c.sum, uint64(0)
	le := binary.LittleEndian
	for len(p) >= 64 {
		s, cy = bits.Add64(s, le.Uint64(p), cy)
		s, cy = bits.Add64(s, le.Uint64(p[8:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[16:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[24:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[32:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[40:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[48:]), cy)
		s, cy = bits.Add64(s, le.Uint64(p[56:]), cy)
		p = p[64:]
	}
	for len(p) >= 32 {
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(p), cy)
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(p[8:]), cy)
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(p[16:]), cy)
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(p[24:]), cy)
		p = p[32:]
	}
	for len(p) >= 8 {
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(p), cy)
		p = p[8:]
	}
	if len(p) > 0 { // only at the end of the file
		var last [8]byte
		copy(last[:], p)
		s, cy = bits.Add64(s, binary.LittleEndian.Uint64(last[:]), cy)
	}
	c.carry += cy
	c.sum = s
}

func (c *checksummer) result(size int64) uint32 {
	s, cy := bits.Add64(c.sum, c.carry, 0)
	s += cy // end-around carry; cannot carry again
	s = (s & 0xffffffff) + (s >> 32)
	s = (s & 0xffffffff) + (s >> 32)
	s = (s & 0xffff) + (s >> 16)
	s = (s & 0xffff) + (s >> 16)
	return uint32(s) + uint32(size)
}

// streamResult is what the single pass computed.
type streamResult struct {
	digests  map[crypto.Hash][]byte
	checksum uint32
	pages    map[crypto.Hash][]pageSum
}

// pageSum is one computed page-hash entry.
type pageSum struct {
	offset int64
	sum    []byte
}

// consumer takes the file's bytes in order, chunk by chunk.
type consumer interface {
	write(off int64, p []byte)
}

// checksumConsumer computes the PE checksum with CheckSum counted as zero.
type checksumConsumer struct {
	c    checksummer
	mask span
}

func (k *checksumConsumer) write(off int64, p []byte) { k.c.writeMasked(off, p, k.mask) }

// fileConsumer feeds Options.FileHash.
type fileConsumer struct{ h hash.Hash }

func (f fileConsumer) write(_ int64, p []byte) { f.h.Write(p) }

// chunk is one buffer of the pass; it goes back to the pool when every
// consumer is done with it.
type chunk struct {
	data    []byte
	off     int64
	n       int
	pending atomic.Int32
}

// chunkPool recycles full-size buffers between Verify calls.
var chunkPool = sync.Pool{New: func() any { return &chunk{data: make([]byte, bufSize)} }}

// stream reads the file once, in order, and feeds every consumer from the same
// buffers: the image hashers (hashed ranges, one hasher per algorithm), the
// page-hash jobs, fileHash (all bytes) and the checksum (all bytes, CheckSum
// counted as zero). Consumers other than the first run on their own
// goroutines when more than one CPU is available, so the checksum or a second
// hash (the whole-file one, say) costs little wall time; each sees the chunks
// in order.
// Nobody writes to a buffer while it is shared.
func stream(r io.ReaderAt, size int64, l *layout, img *imageHasher, jobs []*pageJob, fileHash hash.Hash) (*streamResult, error) {
	var cs []consumer
	for i := range img.hashers {
		cs = append(cs, &laneHasher{m: img, i: i})
	}
	for _, j := range jobs {
		cs = append(cs, j)
	}
	if fileHash != nil {
		cs = append(cs, fileConsumer{fileHash})
	}
	ck := &checksumConsumer{mask: span{l.checksumOff, l.checksumOff + 4}}
	cs = append(cs, ck)
	// Files of one buffer are done sequentially: callers verifying many
	// files already spread them over the CPUs.
	lanes := cs[1:]
	if runtime.GOMAXPROCS(0) < 2 || size <= bufSize {
		lanes = nil
	}
	nbuf := 1
	if len(lanes) > 0 {
		nbuf = 3
	}
	free := make(chan *chunk, nbuf)
	for range nbuf {
		free <- chunkPool.Get().(*chunk)
	}
	defer func() {
		for range nbuf {
			if c := <-free; len(c.data) == bufSize {
				chunkPool.Put(c)
			}
		}
	}()
	release := func(c *chunk) {
		if c.pending.Add(-1) == 0 {
			free <- c
		}
	}
	var wg sync.WaitGroup
	works := make([]chan *chunk, len(lanes))
	for i, c := range lanes {
		works[i] = make(chan *chunk, nbuf)
		wg.Add(1)
		go func(c consumer, work <-chan *chunk) {
			defer wg.Done()
			for ch := range work {
				c.write(ch.off, ch.data[:ch.n])
				release(ch)
			}
		}(c, works[i])
	}
	var err error
	for off := int64(0); off < size; {
		c := <-free
		c.off, c.n = off, int(min(int64(len(c.data)), size-off))
		if err = readFull(r, c.data[:c.n], off); err != nil {
			free <- c
			break
		}
		c.pending.Store(int32(len(lanes) + 1))
		for _, w := range works {
			w <- c
		}
		p := c.data[:c.n]
		if len(lanes) == 0 {
			for _, x := range cs {
				x.write(off, p)
			}
		} else {
			cs[0].write(off, p)
		}
		release(c)
		off += int64(c.n)
	}
	for _, w := range works {
		close(w)
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}
	res := &streamResult{digests: map[crypto.Hash][]byte{}, checksum: ck.c.result(size), pages: map[crypto.Hash][]pageSum{}}
	var zeros [8]byte
	for i, h := range img.hashers {
		h.Write(zeros[:img.pad])
		res.digests[img.algs[i]] = h.Sum(nil)
	}
	for _, j := range jobs {
		res.pages[j.alg] = j.finish()
	}
	return res, nil
}

// laneHasher feeds one of an imageHasher's hashers.
type laneHasher struct {
	m *imageHasher
	i int
}

func (h *laneHasher) write(off int64, p []byte) {
	h.m.ranges(off, p, func(b []byte) { h.m.hashers[h.i].Write(b) })
}

// writeMasked adds p (at file offset off, a multiple of 8) to the checksum
// with the bytes of mask counted as zero, without writing to p.
func (c *checksummer) writeMasked(off int64, p []byte, mask span) {
	end := off + int64(len(p))
	a, b := max(mask.start, off), min(mask.end, end)
	if a >= b {
		c.write(p)
		return
	}
	a8, b8 := a&^7, min((b+7)&^7, end)
	c.write(p[:a8-off])
	var tmp [24]byte
	n := copy(tmp[:], p[a8-off:b8-off])
	for i := a; i < b; i++ {
		tmp[i-a8] = 0
	}
	c.write(tmp[:n])
	c.write(p[b8-off:])
}

// ranges calls fn with the parts of p (at file offset off) that are hashed.
func (m *imageHasher) ranges(off int64, p []byte, fn func([]byte)) {
	end := off + int64(len(p))
	cur := off
	for _, x := range m.exclude {
		if x.end <= cur || x.start >= end {
			continue
		}
		if x.start > cur {
			fn(p[cur-off : x.start-off])
		}
		cur = max(cur, min(x.end, end))
	}
	if cur < end {
		fn(p[cur-off:])
	}
}

func newImageHasher(l *layout, algs []crypto.Hash) *imageHasher {
	m := &imageHasher{algs: algs}
	for _, a := range algs {
		m.hashers = append(m.hashers, a.New())
	}
	m.exclude = append(m.exclude, span{l.checksumOff, l.checksumOff + 4})
	if l.secDirOff >= 0 {
		m.exclude = append(m.exclude, span{l.secDirOff, l.secDirOff + 8})
	}
	if l.certLen > 0 {
		m.exclude = append(m.exclude, span{l.certOff, min(l.certOff+l.certLen, l.size)})
	} else {
		// A signer pads the file to 8 bytes before appending the table.
		m.pad = int((8 - l.size%8) % 8)
	}
	m.exclude = mergeSpans(m.exclude)
	return m
}

// mergeSpans sorts spans and joins overlapping ones.
func mergeSpans(s []span) []span {
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	var out []span
	for _, x := range s {
		if x.end <= x.start {
			continue
		}
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// newPageJob lays out the pages of the table osslsigncode and signtool
// compute: the headers without CheckSum and the security directory entry
// (zero-filled to one page), every SectionAlignment-sized page of each
// section's raw data (the last zero-filled), and a closing entry at the end of
// the last section with an all-zero digest. It returns a reason instead when
// the layout cannot be hashed in one bounded pass.
func newPageJob(l *layout, alg crypto.Hash) (*pageJob, string) {
	ps := int64(l.sectionAlign)
	hdr := int64(l.sizeOfHeaders)
	if ps < 512 || ps > 1<<16 || ps < int64(l.fileAlign) {
		return nil, "SectionAlignment unsuitable for page hashes"
	}
	if l.secDirOff < 0 || hdr > ps || hdr < l.secDirOff+8 || hdr > l.size {
		return nil, "SizeOfHeaders unsuitable for page hashes"
	}
	j := &pageJob{alg: alg}
	j.pages = append(j.pages, page{
		offset: 0,
		segs:   []span{{0, l.checksumOff}, {l.checksumOff + 4, l.secDirOff}, {l.secDirOff + 8, hdr}},
		fill:   int(ps - hdr),
	})
	total := hdr
	var last int64
	for _, s := range l.sections {
		if s.size == 0 {
			continue
		}
		ro, rs := int64(s.off), int64(s.size)
		if ro+rs > l.size {
			return nil, fmt.Sprintf("section %q extends beyond the end of the file", s.name)
		}
		for o := int64(0); o < rs; o += ps {
			n := min(ps, rs-o)
			j.pages = append(j.pages, page{offset: ro + o, segs: []span{{ro + o, ro + o + n}}, fill: int(ps - n)})
		}
		total += rs
		last = ro + rs
		if total > 2*l.size+ps {
			return nil, "sections overlap too much to hash in one pass"
		}
	}
	j.pages = append(j.pages, page{offset: last})
	j.sums = make([][]byte, len(j.pages))
	// Stream order: by where each page's data starts.
	order := make([]int, len(j.pages))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return firstByte(j.pages[order[a]]) < firstByte(j.pages[order[b]]) })
	sorted := make([]page, len(j.pages))
	idx := make([]int, len(j.pages))
	for k, i := range order {
		sorted[k] = j.pages[i]
		idx[k] = i
	}
	j.pages = sorted
	j.order = idx
	return j, ""
}

func firstByte(p page) int64 {
	if len(p.segs) == 0 {
		return -1
	}
	return p.segs[0].start
}

func (j *pageJob) write(off int64, p []byte) {
	end := off + int64(len(p))
	for j.next < len(j.pages) && firstByte(j.pages[j.next]) < end {
		pg := &j.pages[j.next]
		if len(pg.segs) == 0 {
			j.next++
			continue
		}
		pg.h = j.alg.New()
		j.live = append(j.live, j.next)
		j.next++
	}
	keep := j.live[:0]
	for _, i := range j.live {
		pg := &j.pages[i]
		done := true
		for _, s := range pg.segs {
			a, b := max(s.start, off), min(s.end, end)
			if a < b {
				pg.h.Write(p[a-off : b-off])
			}
			if s.end > end {
				done = false
			}
		}
		if done {
			j.close(i)
		} else {
			keep = append(keep, i)
		}
	}
	j.live = keep
}

var zeroPage [1 << 16]byte

func (j *pageJob) close(i int) {
	pg := &j.pages[i]
	pg.h.Write(zeroPage[:pg.fill])
	j.sums[i] = pg.h.Sum(nil)
	pg.h = nil
}

func (j *pageJob) finish() []pageSum {
	for _, i := range j.live {
		j.close(i)
	}
	j.live = nil
	out := make([]pageSum, len(j.pages))
	for k := range j.pages {
		s := j.sums[k]
		if s == nil {
			s = make([]byte, j.alg.Size())
		}
		out[j.order[k]] = pageSum{offset: j.pages[k].offset, sum: s}
	}
	return out
}
