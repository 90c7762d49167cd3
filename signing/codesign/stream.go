package codesign

import (
	"bytes"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sort"
	"sync"
)

// bufSize is the read window of the single pass over a file.
const bufSize = 1 << 20

// sink consumes the bytes of the file range [start, end) in order.
type sink interface {
	span() (start, end int64)
	write(b []byte)
}

// pageHasher recomputes the code slots of one CodeDirectory of a slice as the
// bytes stream past.
type pageHasher struct {
	cd    *CodeDirectory
	start int64 // file offset of the slice
	limit int64 // file offset of the end of the hashed range
	h     hash.Hash
	page  int
	fill  int64 // bytes of the current page written
	sum   []byte
	done  bool
}

func newPageHasher(cd *CodeDirectory, sliceOff int64) *pageHasher {
	cd.computed = make([]byte, cd.CodeSlots*cd.HashSize)
	return &pageHasher{cd: cd, start: sliceOff, limit: sliceOff + cd.CodeLimit, h: newHash(cd.hash), sum: make([]byte, 0, 64)}
}

func (p *pageHasher) span() (int64, int64) { return p.start, p.limit }

func (p *pageHasher) write(b []byte) {
	ps := p.cd.PageSize
	for len(b) > 0 {
		n := int64(len(b))
		if ps > 0 && n > ps-p.fill {
			n = ps - p.fill
		}
		p.h.Write(b[:n])
		p.fill += n
		b = b[n:]
		if ps > 0 && p.fill == ps {
			p.finish()
		}
	}
}

// close ends the last (short) page once the stream has passed the range.
func (p *pageHasher) close(reached int64) {
	if reached >= p.limit && p.fill > 0 {
		p.finish()
	}
	if reached >= p.limit && p.cd.PageSize == 0 && p.page == 0 && p.cd.CodeSlots == 1 {
		p.finish()
	}
	// Pages never completed (the file ends early) stay zero and mismatch.
}

func (p *pageHasher) finish() {
	p.sum = p.h.Sum(p.sum[:0])
	hs := p.cd.HashSize
	if p.page < p.cd.CodeSlots {
		copy(p.cd.computed[p.page*hs:], p.sum[:hs])
	}
	p.page++
	p.fill = 0
	p.h.Reset()
}

// verify compares recomputed and stored code slots.
func (p *pageHasher) verify() {
	cd := p.cd
	hs := cd.HashSize
	for i := 0; i < cd.CodeSlots; i++ {
		if !bytes.Equal(cd.computed[i*hs:(i+1)*hs], cd.codeSlot(i)) {
			if cd.BadPages == 0 {
				cd.FirstBadPage = i
			}
			cd.BadPages++
		}
	}
}

// zeroSink records whether a range outside every slice holds only zeros.
type zeroSink struct {
	start, end int64
	where      string // "between slices" or "after the last slice"
	nonZero    int64  // file offset of the first non-zero byte, -1 if none
	pos        int64
}

func (z *zeroSink) span() (int64, int64) { return z.start, z.end }

func (z *zeroSink) write(b []byte) {
	if z.nonZero < 0 {
		for i, c := range b {
			if c != 0 {
				z.nonZero = z.pos + int64(i)
				break
			}
		}
	}
	z.pos += int64(len(b))
}

func newZeroSink(start, end int64, where string) *zeroSink {
	return &zeroSink{start: start, end: end, where: where, nonZero: -1, pos: start}
}

// bufPool recycles the read windows of large files, so verifying many files
// does not allocate (and clear) a window each.
var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// stream reads [0, size) of r once, in order, in bufSize windows, feeding
// fileHash (when not nil) every byte and each sink the bytes of its range.
// Without fileHash, ranges no sink wants are skipped. It returns how far the
// read got: less than size only when r ends early.
func stream(r io.ReaderAt, size int64, fileHash hash.Hash, sinks []sink) (int64, error) {
	sort.SliceStable(sinks, func(i, j int) bool {
		a, _ := sinks[i].span()
		b, _ := sinks[j].span()
		return a < b
	})
	// With a whole-file hash on a large file and a spare CPU, the file hash
	// runs on its own goroutine over the same windows, two of them used in
	// turn so the next read and the page hashes overlap the file hash: both
	// then cost one hash time, not two. The hasher takes windows in order, so
	// when every window is in flight, the next one to reuse is the oldest.
	lane := fileHash != nil && size > bufSize && runtime.GOMAXPROCS(0) > 1
	nbuf := 1
	if lane {
		nbuf = 2
	}
	bufs := make([]*[]byte, nbuf)
	for i := range bufs {
		bufs[i] = bufPool.Get().(*[]byte)
	}
	var work chan []byte
	var done chan struct{}
	var hasher sync.WaitGroup
	inflight := 0
	if lane {
		work = make(chan []byte, nbuf)
		done = make(chan struct{}, nbuf)
		hasher.Add(1)
		go func() {
			defer hasher.Done()
			for b := range work {
				fileHash.Write(b)
				done <- struct{}{}
			}
		}()
	}
	defer func() {
		if lane {
			close(work)
			hasher.Wait()
		}
		for _, b := range bufs {
			bufPool.Put(b)
		}
	}()
	turn := 0
	pos := int64(0)
	for pos < size {
		if fileHash == nil {
			next := nextSinkStart(sinks, pos, size)
			if next < 0 {
				return size, nil
			}
			pos = next
		}
		if inflight == nbuf {
			<-done
			inflight--
		}
		buf := *bufs[turn]
		turn = (turn + 1) % nbuf
		n := int64(len(buf))
		if size-pos < n {
			n = size - pos
		}
		m, err := r.ReadAt(buf[:n], pos)
		if m < int(n) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return pos + int64(m), fmt.Errorf("reading at %#x: %w", pos+int64(m), err)
		}
		chunk := buf[:n]
		switch {
		case lane:
			inflight++
			work <- chunk
		case fileHash != nil:
			fileHash.Write(chunk)
		}
		feedSinks(sinks, chunk, pos)
		pos += n
	}
	return pos, nil
}

// nextSinkStart returns the first offset at or after pos that a sink of
// sinks wants, below size; -1 when none wants more.
func nextSinkStart(sinks []sink, pos, size int64) int64 {
	next := int64(-1)
	for _, s := range sinks {
		a, z := s.span()
		if z > pos && a < size {
			if a < pos {
				a = pos
			}
			if next < 0 || a < next {
				next = a
			}
		}
	}
	return next
}

// feedSinks writes to each sink of sinks (sorted by start) the part of
// chunk, read at pos, that its span covers.
func feedSinks(sinks []sink, chunk []byte, pos int64) {
	end := pos + int64(len(chunk))
	for _, s := range sinks {
		a, z := s.span()
		if a >= end {
			break
		}
		if z <= pos {
			continue
		}
		lo, hi := max(a, pos), min(z, end)
		s.write(chunk[lo-pos : hi-pos])
	}
}
