package cms

import (
	"fmt"
)

// Limits on hostile encodings.
const (
	// maxDepth bounds the nesting of constructed BER elements.
	maxDepth = 64
	// MaxSize bounds the size of one CMS structure; code signatures are far
	// smaller (Authenticode tables are usually under 64 KiB). Input beyond it
	// is not looked at.
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
	// Only the first MaxSize bytes are looked at: the element must fit in
	// them, and whatever follows (padding, appended data) is the caller's to
	// judge through used.
	limited := len(b) > MaxSize
	if limited {
		b = b[:MaxSize]
	}
	defer func() {
		if err != nil && limited {
			err = errAt(0, "structure larger than %d bytes, or malformed: %v", MaxSize, err)
		}
	}()
	// Most inputs (Authenticode's always) are DER already: check that in one
	// pass without allocating, and copy.
	if n, ok := derLen(b, 0, 0); ok {
		return append([]byte(nil), b[:n]...), n, nil
	}
	out := make([]byte, 0, len(b))
	out, used, err = convert(b, 0, 0, out)
	return out, used, err
}

// berSlack counts the bytes of the BER element at b[off:] that encode
// choices DER does not have and nothing reads: length octets beyond the
// minimal definite form, and empty fragments of a constructed OCTET STRING
// (any number fit between two others). Their choice can carry any data,
// which the DER re-encoding drops, so no ownership check would see it.
// Indefinite lengths with their end-of-contents octets, and where a
// constructed OCTET STRING is cut into non-empty fragments, are the BER
// Apple's signer writes and are not counted. It returns the count and the
// element's length.
func berSlack(b []byte, off, depth int, fragment bool) (slack, n int, err error) {
	if depth > maxDepth {
		return 0, 0, errAt(off, "nesting deeper than %d", maxDepth)
	}
	h, err := readHeader(b, off)
	if err != nil {
		return 0, 0, err
	}
	if h.length >= 0 {
		slack = h.hdrLen - len(h.tagBytes) - lengthLen(h.length)
		if fragment && h.length == 0 {
			slack = h.hdrLen
		}
	}
	body := off + h.hdrLen
	if !h.constructed {
		return slack, h.hdrLen + h.length, nil
	}
	end := len(b)
	if h.length >= 0 {
		end = body + h.length
	}
	octets := h.class == 0 && h.tag == 4
	pos := body
	for {
		if h.length >= 0 && pos >= end {
			break
		}
		if h.length < 0 && pos+1 < len(b) && b[pos] == 0 && b[pos+1] == 0 {
			pos += 2
			break
		}
		s, k, err := berSlack(b[:end], pos, depth+1, octets)
		if err != nil {
			return 0, 0, err
		}
		slack += s
		pos += k
	}
	if fragment && h.length < 0 && pos-off == h.hdrLen+2 {
		slack += h.hdrLen + 2 // an empty indefinite fragment
	}
	return slack, pos - off, nil
}

// derLen reports the length of the element at b[off:] when it is framed as
// DER all the way down: definite minimal lengths and no constructed OCTET
// STRING. It does not judge the contents (INTEGER minimality, SET order),
// which berToDER keeps as they are anyway.
func derLen(b []byte, off, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	h, err := readHeader(b, off)
	if err != nil || h.length < 0 || h.hdrLen != len(h.tagBytes)+lengthLen(h.length) {
		return 0, false
	}
	if !h.constructed {
		return h.hdrLen + h.length, true
	}
	if h.class == 0 && h.tag == 4 {
		return 0, false
	}
	end := off + h.hdrLen + h.length
	for pos := off + h.hdrLen; pos < end; {
		n, ok := derLen(b[:end], pos, depth+1)
		if !ok {
			return 0, false
		}
		pos += n
	}
	return h.hdrLen + h.length, true
}

// lengthLen is the size of the minimal DER encoding of length n.
func lengthLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	case n < 0x10000:
		return 3
	case n < 0x1000000:
		return 4
	}
	return 5
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
		// At most 4 length bytes, and the value is bounded by MaxSize before
		// it becomes an int, so no length can wrap to a negative (on 32-bit
		// platforms, 0xffffffff would otherwise read as -1, "indefinite").
		// Leading zero bytes (a non-minimal length, which BER allows) carry
		// nothing but zeros and vanish from the DER form.
		var v int64
		for i := 0; i < n; i++ {
			v = v<<8 | int64(b[off+i])
		}
		if v > MaxSize {
			return h, errAt(start, "element length %d is larger than %d", v, MaxSize)
		}
		off += n
		h.length = int(v)
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
	// Constructed: write the tag, room for the longest length, the children
	// in place, then the minimal length, moving the contents down to meet it.
	// Each level moves its contents once, so the cost is bounded by maxDepth
	// passes over the data, without allocating per element.
	pos := body
	end := len(b)
	if h.length >= 0 {
		end = body + h.length
	}
	joinOctets := h.class == 0 && h.tag == 4 // constructed OCTET STRING
	if joinOctets {
		out = append(out, 0x04)
	} else {
		out = append(out, h.tagBytes...)
	}
	lenPos := len(out)
	out = append(out, 0, 0, 0, 0, 0)
	contents := len(out)
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
		k := len(out)
		var n int
		out, n, err = convert(b[:end], pos, depth+1, out)
		if err != nil {
			return nil, 0, err
		}
		if joinOctets {
			// A chunk of a constructed OCTET STRING loses its own header.
			ch, _ := readHeader(out, k)
			if ch.class != 0 || ch.tag != 4 {
				return nil, 0, errAt(pos, "constructed OCTET STRING holds a non-OCTET STRING")
			}
			out = append(out[:k], out[k+ch.hdrLen:]...)
		}
		pos += n
	}
	n := len(out) - contents
	l := appendLength(out[:lenPos], n)
	copy(out[len(l):], out[contents:])
	return out[:len(l)+n], pos - off, nil
}
