package lzfse

import "encoding/binary"

// Block magics, little-endian.
const (
	magicEnd = 0x24787662 // "bvx$"
	magicRaw = 0x2d787662 // "bvx-"
	magicV1  = 0x31787662 // "bvx1"
	magicV2  = 0x32787662 // "bvx2"
	magicVN  = 0x6e787662 // "bvxn"
)

// Decode decodes the LZFSE stream src into dst and returns how many bytes it
// wrote. The stream must end with its end-of-stream block; decoding past
// len(dst) is an error.
func Decode(dst, src []byte) (int, error) {
	d := &decoder{dst: dst}
	pos := 0
	for {
		if len(src)-pos < 4 {
			return d.n, errAt(pos, "stream ends without an end-of-stream block")
		}
		magic := binary.LittleEndian.Uint32(src[pos:])
		var next int
		var err error
		switch magic {
		case magicEnd:
			return d.n, nil
		case magicRaw:
			next, err = d.raw(src, pos)
		case magicV1, magicV2:
			next, err = d.lzfseBlock(src, pos, magic)
		case magicVN:
			next, err = d.lzvnBlock(src, pos)
		default:
			return d.n, errAt(pos, "unknown block magic %#08x", magic)
		}
		if err != nil {
			return d.n, err
		}
		pos = next
	}
}

// decoder holds the output written so far.
type decoder struct {
	dst []byte
	n   int
}

// room checks that n more bytes fit the output; off is the stream offset
// to blame.
func (d *decoder) room(n uint64, off int) error {
	if n > uint64(len(d.dst)-d.n) {
		return errAt(off, "block decodes to %d bytes, past the output bound of %d (%d already written)", n, len(d.dst), d.n)
	}
	return nil
}

// raw copies a "bvx-" block at pos and returns the offset after it.
func (d *decoder) raw(src []byte, pos int) (int, error) {
	if len(src)-pos < 8 {
		return 0, errAt(pos, "raw block header is truncated")
	}
	n := uint64(binary.LittleEndian.Uint32(src[pos+4:]))
	if n > uint64(len(src)-pos-8) {
		return 0, errAt(pos, "raw block of %d bytes runs past the stream", n)
	}
	if err := d.room(n, pos); err != nil {
		return 0, err
	}
	d.n += copy(d.dst[d.n:], src[pos+8:pos+8+int(n)])
	return pos + 8 + int(n), nil
}

// match copies m bytes from distance dist back in the output; off is the
// stream offset to blame.
func (d *decoder) match(dist, m, off int) error {
	if m == 0 {
		return nil
	}
	if dist <= 0 || dist > d.n {
		return errAt(off, "match distance %d reaches before the start of the output (%d bytes written)", dist, d.n)
	}
	if err := d.room(uint64(m), off); err != nil {
		return err
	}
	from := d.n - dist
	if dist >= m {
		copy(d.dst[d.n:d.n+m], d.dst[from:from+m])
	} else {
		for i := range m {
			d.dst[d.n+i] = d.dst[from+i]
		}
	}
	d.n += m
	return nil
}

// literals copies lit to the output.
func (d *decoder) literals(lit []byte, off int) error {
	if err := d.room(uint64(len(lit)), off); err != nil {
		return err
	}
	d.n += copy(d.dst[d.n:], lit)
	return nil
}

// DecodeLZVN decodes a bare LZVN payload src, not wrapped in a "bvxn"
// block header (as macOS transparent compression, com.apple.decmpfs
// types 7 and 8, stores it), into dst and returns how many bytes it
// wrote. The payload must end with its end-of-stream opcode and its 7
// padding bytes; decoding past len(dst) is an error.
func DecodeLZVN(dst, src []byte) (int, error) {
	d := &decoder{dst: dst}
	err := d.lzvn(src, 0)
	return d.n, err
}
