package cms

import (
	"fmt"
)

// Limits on hostile encodings.
const (
	// maxDepth bounds the nesting of constructed BER elements.
	maxDepth = 64
	// MaxSize bounds the size of one CMS structure; code signatures are far
	// smaller (Authenticode tables are usually under 64 KiB).
	MaxSize = 16 << 20
)

// FormatError reports malformed CMS input at a byte offset of the input.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("cms: %s at offset 0x%x", e.Reason, e.Offset)
}

func errAt(off int, format string, args ...any) error {
	return &FormatError{Offset: int64(off), Reason: fmt.Sprintf(format, args...)}
}

// berToDER re-encodes the first BER element of b as DER: indefinite lengths
// become definite, long-form lengths become minimal, and constructed OCTET
// STRINGs are joined. It returns the DER bytes and how many bytes of b the
// element used. Other BER freedoms (SET ordering, non-minimal INTEGERs) are
// kept as they are, since signatures are computed over what the signer encoded.
func berToDER(b []byte) (der []byte, used int, err error) {
	if len(b) > MaxSize {
		return nil, 0, errAt(0, "structure larger than %d bytes", MaxSize)
	}
	out := make([]byte, 0, len(b))
	out, used, err = convert(b, 0, 0, out)
	return out, used, err
}

type header struct {
	class, tag  int
	constructed bool
	tagBytes    []byte
	length      int // -1 = indefinite
	hdrLen      int
}

func readHeader(b []byte, off int) (header, error) {
	var h header
	if off >= len(b) {
		return h, errAt(off, "truncated element")
	}
	start := off
	t := b[off]
	h.class = int(t >> 6)
	h.constructed = t&0x20 != 0
	h.tag = int(t & 0x1f)
	off++
	if h.tag == 0x1f {
		h.tag = 0
		for i := 0; ; i++ {
			if off >= len(b) {
				return h, errAt(off, "truncated tag")
			}
			if i >= 4 {
				return h, errAt(off, "tag number too large")
			}
			c := b[off]
			off++
			h.tag = h.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	h.tagBytes = b[start:off]
	if off >= len(b) {
		return h, errAt(off, "truncated length")
	}
	l := b[off]
	off++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, errAt(start, "indefinite length on a primitive element")
		}
		h.length = -1
	default:
		n := int(l & 0x7f)
		if n > 4 {
			return h, errAt(start, "length of %d bytes is too long", n)
		}
		if off+n > len(b) {
			return h, errAt(off, "truncated length")
		}
		v := 0
		for i := 0; i < n; i++ {
			v = v<<8 | int(b[off+i])
		}
		off += n
		h.length = v
	}
	h.hdrLen = off - start
	if h.length >= 0 && h.length > len(b)-off {
		return h, errAt(start, "element length %d runs past the end of the data (%d bytes left)", h.length, len(b)-off)
	}
	return h, nil
}

func appendLength(out []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(out, byte(n))
	case n < 0x100:
		return append(out, 0x81, byte(n))
	case n < 0x10000:
		return append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		return append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// convert appends the DER form of the element at b[off:] to out.
func convert(b []byte, off, depth int, out []byte) ([]byte, int, error) {
	if depth > maxDepth {
		return nil, 0, errAt(off, "nesting deeper than %d", maxDepth)
	}
	h, err := readHeader(b, off)
	if err != nil {
		return nil, 0, err
	}
	body := off + h.hdrLen
	if !h.constructed {
		out = append(out, h.tagBytes...)
		out = appendLength(out, h.length)
		out = append(out, b[body:body+h.length]...)
		return out, h.hdrLen + h.length, nil
	}
	// Constructed: convert children into a scratch buffer, then frame it.
	var inner []byte
	pos := body
	end := len(b)
	if h.length >= 0 {
		end = body + h.length
	}
	joinOctets := h.class == 0 && h.tag == 4 // constructed OCTET STRING
	for {
		if h.length >= 0 && pos >= end {
			break
		}
		if h.length < 0 {
			if pos+1 < len(b) && b[pos] == 0 && b[pos+1] == 0 {
				pos += 2
				break
			}
			if pos >= len(b) {
				return nil, 0, errAt(pos, "missing end-of-contents of an indefinite-length element")
			}
		}
		var child []byte
		var n int
		child, n, err = convert(b[:end], pos, depth+1, nil)
		if err != nil {
			return nil, 0, err
		}
		if joinOctets {
			ch, _ := readHeader(child, 0)
			if ch.class != 0 || ch.tag != 4 {
				return nil, 0, errAt(pos, "constructed OCTET STRING holds a non-OCTET STRING")
			}
			inner = append(inner, child[ch.hdrLen:]...)
		} else {
			inner = append(inner, child...)
		}
		pos += n
	}
	if joinOctets {
		out = append(out, 0x04)
	} else {
		out = append(out, h.tagBytes...)
	}
	out = appendLength(out, len(inner))
	out = append(out, inner...)
	return out, pos - off, nil
}
