package cms

import "sort"

// maxSpans bounds the element map kept for BER input; an input with more
// elements (a real code signature has a few hundred) keeps DER offsets.
const maxSpans = 1 << 16

// span records where one element lies in the DER re-encoding and in the BER
// input, end offsets exclusive (a BER end includes its end-of-contents).
type span struct{ der, derEnd, ber, berEnd int }

// InputSpan maps a range of DER (a Region's Offset and Len, or any slice
// offset the parser returned) to the range of the input that encodes the
// same elements. For DER input it returns off and n unchanged. For BER
// input, a range made of whole sibling elements maps exactly, headers and
// end-of-contents included; any other range maps by its nearest element, so
// it may be a few header bytes off.
func (sd *SignedData) InputSpan(off, n int) (int, int) {
	if sd.spans == nil {
		return off, n
	}
	sp := sd.spans
	at := func(d int) (span, bool) {
		i := sort.Search(len(sp), func(i int) bool { return sp[i].der >= d })
		if i < len(sp) && sp[i].der == d {
			return sp[i], true
		}
		return span{}, false
	}
	first, ok := at(off)
	if !ok {
		// Inside an element: the nearest element starting before off.
		i := sort.Search(len(sp), func(i int) bool { return sp[i].der > off }) - 1
		if i < 0 {
			return off, n
		}
		return sp[i].ber + (off - sp[i].der), n
	}
	last := first
	for last.derEnd < off+n {
		next, ok := at(last.derEnd)
		if !ok {
			return first.ber, n + (first.berEnd - first.ber) - (first.derEnd - first.der)
		}
		last = next
	}
	return first.ber, last.berEnd - first.ber
}

// mapSpans walks the BER input and its DER re-encoding side by side and
// records every element's place in both, in DER order. It returns nil when
// the two do not line up (which berToDER makes impossible) or the input has
// more than maxSpans elements.
func mapSpans(ber, der []byte) []span {
	var out []span
	if _, _, ok := walkSpans(ber, 0, der, 0, 0, &out); !ok {
		return nil
	}
	return out
}

func walkSpans(ber []byte, bo int, der []byte, do, depth int, out *[]span) (berLen, derLen int, ok bool) {
	if depth > maxDepth || len(*out) >= maxSpans {
		return 0, 0, false
	}
	bh, err := readHeader(ber, bo)
	if err != nil {
		return 0, 0, false
	}
	dh, err := readHeader(der, do)
	if err != nil || dh.length < 0 {
		return 0, 0, false
	}
	derLen = dh.hdrLen + dh.length
	idx := len(*out)
	*out = append(*out, span{der: do, derEnd: do + derLen, ber: bo})
	switch {
	case !bh.constructed:
		berLen = bh.hdrLen + bh.length
	case bh.class == 0 && bh.tag == 4:
		// A constructed OCTET STRING, joined into one primitive in DER: its
		// chunks have no element of their own there.
		_, n, err := convert(ber, bo, depth, make([]byte, 0, dh.length+16))
		if err != nil {
			return 0, 0, false
		}
		berLen = n
	default:
		bpos, dpos := bo+bh.hdrLen, do+dh.hdrLen
		bend := len(ber)
		if bh.length >= 0 {
			bend = bpos + bh.length
		}
		for dpos < do+derLen {
			if bh.length < 0 && bpos+1 < len(ber) && ber[bpos] == 0 && ber[bpos+1] == 0 {
				return 0, 0, false
			}
			bn, dn, ok := walkSpans(ber[:bend], bpos, der, dpos, depth+1, out)
			if !ok {
				return 0, 0, false
			}
			bpos += bn
			dpos += dn
		}
		if bh.length < 0 {
			if bpos+1 >= len(ber) || ber[bpos] != 0 || ber[bpos+1] != 0 {
				return 0, 0, false
			}
			bpos += 2
		} else if bpos != bend {
			return 0, 0, false
		}
		berLen = bpos - bo
	}
	(*out)[idx].berEnd = bo + berLen
	return berLen, derLen, true
}
