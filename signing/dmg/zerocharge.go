package dmg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// A zlib chunk's decoded bytes are charged to the expansion budget
// (PartitionOptions.Take) zeroPiece bytes at a time as they inflate: a
// piece of zeros at 1/zeroDiscount of its size, any other piece whole.
// Free space that a tool compressed rather than stored as zero-fill
// (hdiutil writes zero-fill chunks; other image builders zlib whatever
// the volume holds) is then read for the free-space and slack checks
// without spending the budget that the files' bytes need, while a run
// of zeros is still bounded: at most zeroDiscount times the budget.
const (
	zeroPiece    = 64 << 10
	zeroDiscount = 8
)

// zeroPieceBuf is compared against to tell a piece of zeros.
var zeroPieceBuf [zeroPiece]byte

// pieceCost is what the decoded piece b costs the expansion budget.
func pieceCost(b []byte) int64 {
	if bytes.Equal(b, zeroPieceBuf[:len(b)]) {
		return (int64(len(b)) + zeroDiscount - 1) / zeroDiscount
	}
	return int64(len(b))
}

// inflateCharged reads want bytes of the zlib stream r into buf, charging
// each piece to take (nil charges nothing) once it is decoded, and stops
// with ErrExpansion at the first piece take refuses: at most one piece is
// decoded past the budget.
func inflateCharged(buf *bytes.Buffer, r io.Reader, want int64, take func(int64) bool) ([]byte, error) {
	for int64(buf.Len()) < want {
		start := buf.Len()
		n, err := io.CopyN(buf, r, min(zeroPiece, want-int64(start)))
		switch {
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("it decodes to %d bytes, want %d", int64(start)+n, want)
		case err != nil:
			return nil, err
		}
		if take != nil && !take(pieceCost(buf.Bytes()[start:])) {
			return nil, ErrExpansion
		}
	}
	return buf.Bytes(), nil
}
