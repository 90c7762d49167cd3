package decmpfs

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/lzfse"
)

// chunk decodes one compressed chunk c of method into exactly n bytes.
// A chunk whose first byte is the method's marker holds its n bytes
// stored after it: 0x?f for an inline zlib one (0xff in a fork, which
// also matches), 0x06 for LZVN (its end-of-stream opcode), 0xff for
// LZFSE.
func chunk(method string, c []byte, n int) ([]byte, error) {
	if len(c) == 0 {
		if n == 0 {
			return []byte{}, nil
		}
		return nil, fmt.Errorf("an empty chunk of %d bytes", n)
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
			return nil, fmt.Errorf("a stored chunk of %d bytes, not %d", len(c)-1, n)
		}
		return append([]byte{}, c[1:]...), nil
	}
	out := make([]byte, n)
	var got int
	var err error
	switch method {
	case methodZlib:
		got, err = inflate(out, c)
	case methodLZVN:
		got, err = lzfse.DecodeLZVN(out, c)
	default:
		got, err = lzfse.Decode(out, c)
	}
	if err != nil {
		return nil, fmt.Errorf("%s chunk: %w", method, err)
	}
	if got != n {
		return nil, fmt.Errorf("a %s chunk decoding to %d bytes, not %d", method, got, n)
	}
	return out, nil
}

// inflate decodes the zlib stream c into out, which it must fill
// exactly, with no bytes after the stream's checksum (a payload there,
// which no reader decodes, would ride along with a file that verifies).
func inflate(out, c []byte) (int, error) {
	br := bytes.NewReader(c)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return 0, fmt.Errorf("the stream does not start: %w", err)
	}
	got, err := io.ReadFull(zr, out)
	if err != nil {
		return got, fmt.Errorf("the stream ends after %d bytes: %w", got, err)
	}
	// Reading one byte more checks the stream ends here, and its checksum.
	if k, err := io.ReadFull(zr, make([]byte, 1)); k != 0 || err != io.EOF {
		return got, fmt.Errorf("the stream holds more than %d bytes (%v)", len(out), err)
	}
	if br.Len() > 0 {
		return got, fmt.Errorf("%d bytes follow the stream", br.Len())
	}
	return got, nil
}
