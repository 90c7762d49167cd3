package dmg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// A zlib chunk's decoded bytes are charged to the expansion budget
// (PartitionOptions.Take) zeroPiece bytes at a time as they inflate: a
// piece of zeros at 1/zeroDiscount of its size, any other piece whole.
// Free space that a tool compressed rather than stored as zero-fill
// (hdiutil writes zero-fill chunks; other image builders zlib whatever
// the volume holds) is then read for the free-space and slack checks
// without spending the budget that the files' bytes need. The discount
// covers at most MaxDiscountedZeros bytes of one image (all its partition
// readers together); zeros past them are charged whole. Without that
// cap a hostile image inflates zeroDiscount times the budget in zeros (32
// GiB, about a minute of CPU, at the 4 GiB minimum budget): with it, what
// an image inflates stays within the budget plus 3.5 GiB.
const (
	zeroPiece    = 64 << 10
	zeroDiscount = 8
	// MaxDiscountedZeros is how many zlib-inflated zero bytes of one
	// image are charged at 1/8 of their size.
	MaxDiscountedZeros = 4 << 30
)

// zeroCredit counts the discounted zeros an image has inflated (safe
// for concurrent use).
type zeroCredit struct {
	used atomic.Int64
	// max, when set (by a test), replaces MaxDiscountedZeros.
	max int64
}

// limit is how many zeros the credit discounts.
func (z *zeroCredit) limit() int64 {
	if z.max > 0 {
		return z.max
	}
	return MaxDiscountedZeros
}

// grant reports whether n more zeros may be charged at the discount, and
// counts them when they may.
func (z *zeroCredit) grant(n int64) bool {
	if z == nil {
		return true
	}
	if z.used.Add(n) <= z.limit() {
		return true
	}
	z.used.Add(-n)
	return false
}

// zeroPieceBuf is compared against to tell a piece of zeros.
var zeroPieceBuf [zeroPiece]byte

// pieceCost is what the decoded piece b costs the expansion budget: zeros
// cost an eighth while credit grants them.
func pieceCost(b []byte, credit *zeroCredit) int64 {
	if bytes.Equal(b, zeroPieceBuf[:len(b)]) && credit.grant(int64(len(b))) {
		return (int64(len(b)) + zeroDiscount - 1) / zeroDiscount
	}
	return int64(len(b))
}

// inflateCharged reads want bytes of the zlib stream r into buf, charging
// each piece to take (nil charges nothing) once it is decoded, and stops
// with ErrExpansion at the first piece take refuses: at most one piece is
// decoded past the budget.
func inflateCharged(buf *bytes.Buffer, r io.Reader, want int64, take func(int64) bool, credit *zeroCredit) ([]byte, error) {
	for int64(buf.Len()) < want {
		start := buf.Len()
		n, err := io.CopyN(buf, r, min(zeroPiece, want-int64(start)))
		switch {
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("it decodes to %d bytes, want %d", int64(start)+n, want)
		case err != nil:
			return nil, err
		}
		if take != nil && !take(pieceCost(buf.Bytes()[start:], credit)) {
			return nil, ErrExpansion
		}
	}
	return buf.Bytes(), nil
}
