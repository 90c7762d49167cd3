package lzfse

import "encoding/binary"

// header is a decoded "bvx1" or "bvx2" block header.
type header struct {
	rawN, nLiterals, nMatches uint32
	litPayload, lmdPayload    uint32
	litBits, lmdBits          int
	litState                  [4]uint16
	lState, mState, dState    uint16
	size                      int // header bytes, before the payloads
	lFreq, mFreq              [nLSym]uint16
	dFreq                     [nDSym]uint16
	litFreq                   [nLitSym]uint16
}

// v1HeaderSize is the size of the reference's v1 header structure.
const v1HeaderSize = 772

// parseV1 reads a "bvx1" header at src[pos:].
func parseV1(src []byte, pos int) (*header, error) {
	if len(src)-pos < v1HeaderSize {
		return nil, errAt(pos, "v1 block header is truncated")
	}
	b := src[pos:]
	u32 := func(o int) uint32 { return binary.LittleEndian.Uint32(b[o:]) }
	u16 := func(o int) uint16 { return binary.LittleEndian.Uint16(b[o:]) }
	h := &header{rawN: u32(4), nLiterals: u32(12), nMatches: u32(16), litPayload: u32(20), lmdPayload: u32(24),
		litBits: int(int32(u32(28))), lmdBits: int(int32(u32(40))), lState: u16(44), mState: u16(46), dState: u16(48), size: v1HeaderSize}
	if uint64(h.litPayload)+uint64(h.lmdPayload) != uint64(u32(8)) {
		return nil, errAt(pos, "v1 block payload size %d is not its literal and match payloads' sum", u32(8))
	}
	for i := range h.litState {
		h.litState[i] = u16(32 + 2*i)
	}
	o := 50
	for _, f := range [][]uint16{h.lFreq[:], h.mFreq[:], h.dFreq[:], h.litFreq[:]} {
		for i := range f {
			f[i] = u16(o)
			o += 2
		}
	}
	return h, nil
}

// parseV2 reads a "bvx2" header at src[pos:]: packed counts and states,
// then the frequency tables in a variable-length code.
func parseV2(src []byte, pos int) (*header, error) {
	if len(src)-pos < 32 {
		return nil, errAt(pos, "v2 block header is truncated")
	}
	b := src[pos:]
	f0 := binary.LittleEndian.Uint64(b[8:])
	f1 := binary.LittleEndian.Uint64(b[16:])
	f2 := binary.LittleEndian.Uint64(b[24:])
	get := func(v uint64, off, n uint) uint32 { return uint32(v >> off & (1<<n - 1)) }
	h := &header{rawN: binary.LittleEndian.Uint32(b[4:]),
		nLiterals: get(f0, 0, 20), litPayload: get(f0, 20, 20), nMatches: get(f0, 40, 20), litBits: int(get(f0, 60, 3)) - 7,
		lmdPayload: get(f1, 40, 20), lmdBits: int(get(f1, 60, 3)) - 7,
		size: int(get(f2, 0, 32)), lState: uint16(get(f2, 32, 10)), mState: uint16(get(f2, 42, 10)), dState: uint16(get(f2, 52, 10))}
	for i := range h.litState {
		h.litState[i] = uint16(get(f1, uint(10*i), 10))
	}
	if h.size < 32 || h.size > len(b) {
		return nil, errAt(pos, "v2 block header size %d is outside [32, %d]", h.size, len(b))
	}
	if err := readFreqs(b[32:h.size], pos+32, h); err != nil {
		return nil, err
	}
	return h, nil
}

// Decoding table of the v2 frequency code, indexed by the next 5 bits.
var (
	freqBits  = [32]int8{2, 3, 2, 5, 2, 3, 2, 8, 2, 3, 2, 5, 2, 3, 2, 14, 2, 3, 2, 5, 2, 3, 2, 8, 2, 3, 2, 5, 2, 3, 2, 14}
	freqValue = [32]int8{0, 2, 1, 4, 0, 3, 1, -1, 0, 2, 1, 5, 0, 3, 1, -1, 0, 2, 1, 6, 0, 3, 1, -1, 0, 2, 1, 7, 0, 3, 1, -1}
)

// readFreqs decodes the v2 frequency tables from b (at stream offset off),
// which they must use up to its last byte.
func readFreqs(b []byte, off int, h *header) error {
	var acc uint32
	nacc, i := 0, 0
	for _, f := range [][]uint16{h.lFreq[:], h.mFreq[:], h.dFreq[:], h.litFreq[:]} {
		for j := range f {
			for nacc <= 24 && i < len(b) {
				acc |= uint32(b[i]) << nacc
				nacc += 8
				i++
			}
			c := acc & 31
			n := int(freqBits[c])
			if n > nacc {
				return errAt(off+i, "v2 frequency tables run past the header")
			}
			switch n {
			case 8:
				f[j] = uint16(8 + acc>>4&0xf)
			case 14:
				f[j] = uint16(24 + acc>>4&0x3ff)
			default:
				f[j] = uint16(freqValue[c])
			}
			acc >>= n
			nacc -= n
		}
	}
	if nacc >= 8 || i != len(b) {
		return errAt(off+i, "v2 header has %d bytes after its frequency tables", len(b)-i+nacc/8)
	}
	return nil
}
