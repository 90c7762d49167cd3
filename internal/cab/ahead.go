package cab

import (
	"fmt"
	"io"
)

// aheadMinBlocks is the size, in data blocks, from which Walk decodes a
// folder on a goroutine of its own ahead of the reader (see ahead): below
// it, the goroutine and its buffers cost more than they save. A Reader's
// aheadMin replaces it when set, so that a test can send small folders
// through the read-ahead without changing it for other tests.
const aheadMinBlocks = 16

// Read-ahead buffers: aheadChunks pieces of up to aheadChunk bytes, so
// that the decoding goroutine works on one while the reader hashes
// another, and either may be descheduled for a while on a busy machine.
const (
	aheadChunk  = 256 << 10
	aheadChunks = 4
)

// folderReader is what Walk reads a folder's uncompressed bytes through:
// the decoder itself or an ahead around it.
type folderReader interface {
	io.Reader
	folderIndex() int
	position() int64
	// close stops the decoding; nothing reads from the cabinet after it
	// returns.
	close()
}

func (d *decoder) folderIndex() int { return d.folder }
func (d *decoder) position() int64  { return d.pos }
func (d *decoder) close()           {}

// ahead decodes a folder (decoder d) on a goroutine of its own into a few
// buffers, while the caller reads the bytes decoded before: MSZIP inflate,
// which is sequential within a folder, and the checksums then take one
// core and whatever the caller does with the bytes (hashing each file)
// another. The bytes and the first error come out in the order d gives
// them, so a walk reads exactly what it would read from d.
type ahead struct {
	folder int
	pos    int64 // bytes returned
	full   chan aheadPiece
	free   chan []byte
	stop   chan struct{}
	done   chan struct{}
	cur    []byte // unread part of the piece being read
	buf    []byte // the buffer cur lies in, returned to free when read
	err    error
}

// aheadPiece is a run of decoded bytes and, after them, the error the
// decoder stopped at (io.EOF at the folder's end).
type aheadPiece struct {
	p   []byte
	err error
}

// newAhead starts decoding d ahead of the reader.
func newAhead(d *decoder) *ahead {
	size := min(int64(aheadChunk), int64(d.fo.Blocks)*maxBlockUncomp)
	a := &ahead{
		folder: d.folder,
		pos:    d.pos,
		full:   make(chan aheadPiece, aheadChunks),
		free:   make(chan []byte, aheadChunks),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for range aheadChunks {
		a.free <- make([]byte, size)
	}
	go a.run(d)
	return a
}

// run fills the free buffers from d and hands them to the reader in
// order, until d fails or ends or the reader stops.
func (a *ahead) run(d *decoder) {
	defer close(a.done)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(d, b)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case a.full <- aheadPiece{b[:n], err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *ahead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		pc := <-a.full
		a.cur, a.buf, a.err = pc.p, pc.p, pc.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	a.pos += int64(n)
	return n, nil
}

func (a *ahead) folderIndex() int { return a.folder }
func (a *ahead) position() int64  { return a.pos }

func (a *ahead) close() {
	close(a.stop)
	<-a.done
}

// openFolder returns a reader of folder's uncompressed bytes from its
// start: decoded ahead when the folder is large enough.
func (c *Reader) openFolder(folder int) folderReader {
	d := c.newDecoder(folder)
	min := aheadMinBlocks
	if c.aheadMin > 0 {
		min = c.aheadMin
	}
	if d.fo.Blocks >= min {
		return newAhead(d)
	}
	return d
}

// skipFolder discards n bytes of r, failing as the folder's decoder does
// when the folder ends first.
func skipFolder(r folderReader, fo *Folder, n int64) error {
	if n <= 0 {
		return nil
	}
	k, err := io.CopyN(io.Discard, r, n)
	if err == io.EOF {
		return &FormatError{fo.Offset, fmt.Sprintf("folder %d ends %d bytes before a file's data", r.folderIndex(), n-k)}
	}
	return err
}
