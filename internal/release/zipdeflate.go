package release

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// DeflateShortError is the error of reading a deflated zip entry whose
// deflate stream ends before the compressed data its central directory
// record gives: Used of Size bytes.
type DeflateShortError struct {
	Used, Size int64
}

// Error says how much of the entry's data the stream leaves and why that
// matters.
func (e *DeflateShortError) Error() string {
	return fmt.Sprintf("its deflate stream ends after %d of the %d compressed bytes its central directory record gives; extractors that stream the archive end the entry there and read the other %d bytes as what follows it (a data descriptor, then another entry that no check saw)", e.Used, e.Size, e.Size-e.Used)
}

// StrictDeflate makes zr read deflated entries as archive/zip does, but
// for an entry whose deflate stream ends before its compressed data does:
// reading it fails with a *DeflateShortError once the stream's end is
// reached, where archive/zip ignores the rest. An entry with a data
// descriptor (general purpose bit 3, as Go's and Java's writers make every
// entry) gives a streaming extractor no size: it ends the entry where the
// deflate stream ends, reads the descriptor there, and takes the next
// bytes for the next local header, so the bytes the central record gives
// the entry beyond its stream may hold a file installed that way and read
// by no check that goes by the central directory. verify and sbom read
// every zip archive of a release so, and report the entry unreadable.
func StrictDeflate(zr *zip.Reader) {
	zr.RegisterDecompressor(zip.Deflate, newStrictDeflate)
}

// strictDeflate is a deflate reader that knows its input's size.
type strictDeflate struct {
	mu   sync.Mutex // guards Read and Close, as archive/zip's reader does
	src  *io.SectionReader
	br   *bufio.Reader
	fr   io.ReadCloser
	size int64 // -1 when src is not a section reader
}

var strictDeflatePool sync.Pool // of *strictDeflate, closed

// newStrictDeflate returns a deflate reader of r, which archive/zip gives
// as an *io.SectionReader of the entry's compressed data.
func newStrictDeflate(r io.Reader) io.ReadCloser {
	d, _ := strictDeflatePool.Get().(*strictDeflate)
	if d == nil {
		d = &strictDeflate{br: bufio.NewReader(r)}
		d.fr = flate.NewReader(d.br)
	} else {
		d.br.Reset(r)
		d.fr.(flate.Resetter).Reset(d.br, nil)
	}
	d.src, d.size = nil, -1
	if sr, ok := r.(*io.SectionReader); ok {
		d.src, d.size = sr, sr.Size()
	}
	return d
}

// Read reads decompressed bytes; at the stream's end it checks that the
// stream used all of its input.
func (d *strictDeflate) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fr == nil {
		return 0, fmt.Errorf("read after close")
	}
	n, err := d.fr.Read(p)
	if err == io.EOF && d.src != nil {
		// Bytes read from the input, less those read ahead and not used.
		pos, serr := d.src.Seek(0, io.SeekCurrent)
		if used := pos - int64(d.br.Buffered()); serr == nil && used < d.size {
			return n, &DeflateShortError{Used: used, Size: d.size}
		}
	}
	return n, err
}

// Close returns the reader to the pool.
func (d *strictDeflate) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fr == nil {
		return nil
	}
	d.src = nil
	d.br.Reset(nil)
	strictDeflatePool.Put(&strictDeflate{br: d.br, fr: d.fr})
	d.fr = nil
	return nil
}
