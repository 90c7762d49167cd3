package cab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// mszipEnd checks that the deflate stream fr decodes, from the MSZIP
// block data src, has delivered all it holds: it ends with its final
// block (BFINAL), and no byte of src follows that block. [MS-MCI] makes
// each block "CK" and one deflate stream; libmspack (cabextract) reads a
// folder's blocks as one input, goes on into the next block's bytes when
// a stream has no final block, and after one looks for the next "CK"
// from where the stream ended: bytes after a block's final block (a
// second "CK" and deflate stream) are what it decodes as the next block,
// where this reader decodes the next block's own data. Either way the
// file extracted is not the file checked.
func mszipEnd(fr io.Reader, src *bytes.Reader) error {
	var one [1]byte
	m, err := io.ReadFull(fr, one[:])
	switch {
	case m > 0:
		return errors.New("MSZIP block decompresses to more than the bytes it declares")
	case err == io.ErrUnexpectedEOF:
		return errors.New("MSZIP block's deflate stream has no final block (BFINAL): decoders that read on into the next block's bytes extract other data")
	case err != io.EOF:
		return fmt.Errorf("MSZIP block: %w", err)
	}
	if n := src.Len(); n > 0 {
		return fmt.Errorf("MSZIP block holds %d bytes after its deflate stream's final block, which cabextract may decode as the next block's data", n)
	}
	return nil
}
