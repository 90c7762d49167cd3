package hfsplus

import (
	"bytes"
	"fmt"
)

// ZeroSpanner is implemented by a volume's reader that knows, without
// reading them, which of its bytes read as zeros: a disk image
// partition, whose zero-fill and ignored chunks are stored as nothing.
// Open then skips those bytes when it checks that free blocks and slack
// hold only zeros, instead of decoding them.
type ZeroSpanner interface {
	// Span returns the end of the run of bytes holding off that reads
	// alike (a chunk), and whether all of it reads as zeros without
	// being decoded. An end not past off says nothing.
	Span(off int64) (end int64, zero bool)
}

// zeros is compared against to find non-zero bytes.
var zeros [64 << 10]byte

// firstNonZero returns the index of the first byte of b other than
// zero, or -1.
func firstNonZero(b []byte) int {
	for i := 0; i < len(b); i += len(zeros) {
		k := min(len(b)-i, len(zeros))
		if bytes.Equal(b[i:i+k], zeros[:k]) {
			continue
		}
		for j, c := range b[i : i+k] {
			if c != 0 {
				return i + j
			}
		}
	}
	return -1
}

// zeroScan finds the bytes of the volume other than zero, reading 64
// KiB at a time and skipping what the reader knows to be zeros.
type zeroScan struct {
	v   *Volume
	sp  ZeroSpanner // nil when the reader is not one
	buf []byte
}

func newZeroScan(v *Volume) *zeroScan {
	z := &zeroScan{v: v}
	z.sp, _ = v.r.(ZeroSpanner)
	return z
}

// scan calls hit with the volume offset of the first byte other than
// zero in each unit (of unit bytes, aligned in the volume) of [off,
// end) that holds one.
func (z *zeroScan) scan(off, end, unit int64, hit func(at int64)) error {
	if z.buf == nil {
		z.buf = make([]byte, 64<<10)
	}
	last := int64(-1) // the unit of the last hit
	for off < end {
		lim := end
		if z.sp != nil {
			if e, zero := z.sp.Span(off); e > off {
				if zero {
					off = min(e, end)
					continue
				}
				lim = min(e, end)
			}
		}
		n := min(lim-off, int64(len(z.buf)))
		b := z.buf[:n]
		if k, err := z.v.r.ReadAt(b, off); int64(k) < n {
			return fmt.Errorf("reading volume offset %#x: %w", off+int64(k), orEOF(err))
		}
		for i := int64(0); i < n; {
			u := (off + i) / unit
			pe := min(n, (u+1)*unit-off)
			if u != last {
				if j := firstNonZero(b[i:pe]); j >= 0 {
					hit(off + i + int64(j))
					last = u
				}
			}
			i = pe
		}
		off += n
	}
	return nil
}
