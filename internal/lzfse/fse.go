package lzfse

import "math/bits"

// Table sizes of the LZFSE entropy coders.
const (
	nLitSym  = 256
	nLitStat = 1024
	nLSym    = 20
	nLStat   = 64
	nMSym    = 20
	nMStat   = 64
	nDSym    = 64
	nDStat   = 256
	// maxLiterals and maxMatches bound one block, as the reference does.
	maxLiterals = 40000
	maxMatches  = 10000
)

// Extra bits and base values of the L, M and D symbols.
var (
	lExtra = [nLSym]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 5, 8}
	lBase  = [nLSym]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 28, 60}
	mExtra = [nMSym]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 8, 11}
	mBase  = [nMSym]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 56, 312}
	dExtra [nDSym]uint8
	dBase  [nDSym]int32
)

func init() {
	// D symbols come in groups of four sharing a count of extra bits,
	// 0 to 15; each base follows the previous range.
	base := int32(0)
	for i := range nDSym {
		dExtra[i] = uint8(i / 4)
		dBase[i] = base
		base += 1 << dExtra[i]
	}
}

// litEntry is one state of a literal decoder.
type litEntry struct {
	k     int8 // bits to read; -1 marks a state no symbol owns
	sym   uint8
	delta int16
}

// valEntry is one state of an L, M or D decoder.
type valEntry struct {
	total int8 // state bits + value bits; -1 marks an unowned state
	vbits uint8
	delta int16
	base  int32
}

// spread calls f for each state of an FSE table of nstates states built
// from freq (which must sum to at most nstates), with the state's symbol,
// its state-bit count k and its delta. Symbols own consecutive states.
func spread(nstates int, freq []uint16, f func(t, sym, k, delta int)) {
	nclz := bits.LeadingZeros32(uint32(nstates))
	t := 0
	for sym, fr := range freq {
		if fr == 0 {
			continue
		}
		fq := int(fr)
		k := bits.LeadingZeros32(uint32(fq)) - nclz
		j0 := (2*nstates)>>k - fq
		for j := range fq {
			if j < j0 {
				f(t, sym, k, (fq+j)<<k-nstates)
			} else {
				f(t, sym, k-1, (j-j0)<<(k-1))
			}
			t++
		}
	}
}

// checkFreq reports whether freq sums to at most nstates.
func checkFreq(freq []uint16, nstates int) bool {
	sum := 0
	for _, f := range freq {
		sum += int(f)
	}
	return sum <= nstates
}

func litTable(freq []uint16) []litEntry {
	tab := make([]litEntry, nLitStat)
	for i := range tab {
		tab[i].k = -1
	}
	spread(nLitStat, freq, func(t, sym, k, delta int) {
		tab[t] = litEntry{k: int8(k), sym: uint8(sym), delta: int16(delta)}
	})
	return tab
}

func valTable(nstates int, freq []uint16, extra []uint8, base []int32) []valEntry {
	tab := make([]valEntry, nstates)
	for i := range tab {
		tab[i].total = -1
	}
	spread(nstates, freq, func(t, sym, k, delta int) {
		tab[t] = valEntry{total: int8(k) + int8(extra[sym]), vbits: extra[sym], delta: int16(delta), base: base[sym]}
	})
	return tab
}

// bitReader reads an LZFSE bit stream backwards: the encoder packs bits
// least-significant first into bytes, and the decoder takes the most
// recently written bits first, from the end.
type bitReader struct {
	buf []byte
	pos int // bits not yet read: [0, pos)
}

// newBitReader starts a reader over buf whose last byte holds 8+pad valid
// bits (pad in [-7, 0]); the unused high bits must be zero.
func newBitReader(buf []byte, pad int) (*bitReader, bool) {
	if pad < -7 || pad > 0 {
		return nil, false
	}
	if len(buf) == 0 {
		return &bitReader{buf: buf}, pad == 0
	}
	if pad < 0 && buf[len(buf)-1]>>(8+pad) != 0 {
		return nil, false
	}
	return &bitReader{buf: buf, pos: len(buf)*8 + pad}, true
}

// pull reads the n (at most 32) bits below the read position, with the
// first-read bit most significant; ok is false past the stream's start.
func (r *bitReader) pull(n int) (uint32, bool) {
	if n > r.pos {
		return 0, false
	}
	r.pos -= n
	v := uint64(0)
	p := r.pos
	for got := 0; got < n; {
		b := uint64(r.buf[p>>3] >> (p & 7))
		take := min(8-p&7, n-got)
		v |= (b & (1<<take - 1)) << got
		got += take
		p += take
	}
	return uint32(v), true
}
