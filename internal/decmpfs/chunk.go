package decmpfs

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/lzfse"
)

// decoder decodes the chunks of one file, keeping its zlib reader for
// the next chunk (a fork holds up to 256 of them) rather than
// allocating one per chunk.
type decoder struct {
	zr io.ReadCloser // nil until the first zlib chunk
}

// chunk decodes one compressed chunk c of method into out, which it
// must fill exactly. A chunk whose first byte is the method's marker
// holds its len(out) bytes stored after it: 0x?f for an inline zlib one
// (0xff in a fork, which also matches), 0x06 for LZVN (its
// end-of-stream opcode), 0xff for LZFSE.
func (d *decoder) chunk(method string, c, out []byte) error {
	n := len(out)
	if len(c) == 0 {
		if n == 0 {
			return nil
		}
		return fmt.Errorf("an empty chunk of %d bytes", n)
	}
	stored := c[0] == 0xff
	switch method {
	case methodZlib:
		stored = c[0]&0x0f == 0x0f
	case methodLZVN:
		stored = c[0] == 0x06
	}
	if stored {
		if len(c)-1 != n {
			return fmt.Errorf("a stored chunk of %d bytes, not %d", len(c)-1, n)
		}
		copy(out, c[1:])
		return nil
	}
	var got int
	var err error
	switch method {
	case methodZlib:
		got, err = d.inflate(out, c)
	case methodLZVN:
		got, err = lzfse.DecodeLZVN(out, c)
	default:
		got, err = lzfse.Decode(out, c)
	}
	if err != nil {
		return fmt.Errorf("%s chunk: %w", method, err)
	}
	if got != n {
		return fmt.Errorf("a %s chunk decoding to %d bytes, not %d", method, got, n)
	}
	return nil
}

// inflate decodes the zlib stream c into out, which it must fill
// exactly, with no bytes after the stream's checksum (a payload there,
// which no reader decodes, would ride along with a file that verifies).
func (d *decoder) inflate(out, c []byte) (int, error) {
	br := bytes.NewReader(c)
	var err error
	if d.zr == nil {
		var zr io.ReadCloser
		if zr, err = zlib.NewReader(br); err == nil {
			d.zr = zr
		}
	} else {
		err = d.zr.(zlib.Resetter).Reset(br, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("the stream does not start: %w", err)
	}
	got, err := io.ReadFull(d.zr, out)
	if err != nil {
		return got, fmt.Errorf("the stream ends after %d bytes: %w", got, err)
	}
	// Reading one byte more checks the stream ends here, and its checksum.
	var one [1]byte
	if k, err := io.ReadFull(d.zr, one[:]); k != 0 || err != io.EOF {
		return got, fmt.Errorf("the stream holds more than %d bytes (%v)", len(out), err)
	}
	if br.Len() > 0 {
		return got, fmt.Errorf("%d bytes follow the stream", br.Len())
	}
	return got, nil
}
