package nsis

import (
	"errors"
	"fmt"
	"io"
)

// NSIS's bzip2 (Source/bzip2 of NSIS, "not compatible with the original
// bzip2") is bzip2's block format without its stream header ("BZh9"), with
// a one-byte block marker (0x31, where bzip2 has the 48-bit block magic and
// a CRC) and a one-byte end marker (0x17, where bzip2 has the end magic and
// the stream CRC); blocks are at most 900000 bytes before the final
// run-length decoding (NSIS_COMPRESS_BZIP2_LEVEL 9), and have no
// randomisation bit. compress/bzip2 cannot read it, and cannot be told to
// skip the missing CRCs, so it is decoded here.
const (
	bzBlockMarker = 0x31
	bzEndMarker   = 0x17
	bzMaxBlock    = 900000
	bzMaxGroups   = 6
	bzMaxSel      = 18002
	bzGroupSize   = 50
	bzMaxCodeLen  = 20
)

var errBZip2 = errors.New("nsis: corrupt bzip2 data")

// bzReader decodes NSIS's bzip2 stream.
type bzReader struct {
	r     io.ByteReader
	bits  uint64
	n     uint
	err   error
	eof   bool // the end marker was read
	inEOF bool // the input ended

	tt []uint32 // the block, then its inverse BWT links
	// output state of the current block
	tPos       uint32
	left       int // bytes of the block not yet emitted
	last       int // last byte emitted, -1 at a block's start
	run        int // how many times in a row last was emitted
	repeat     int // copies of last still to emit
	repeatByte byte
}

func newBZip2Reader(r io.ByteReader) *bzReader { return &bzReader{r: r} }

func (z *bzReader) bit(n uint) uint32 {
	z.fill(n)
	if z.n < n {
		if z.err == nil {
			z.err = io.ErrUnexpectedEOF
		}
		return 0
	}
	z.n -= n
	return uint32(z.bits>>z.n) & (1<<n - 1)
}

// fill makes n bits available if the input has them; at the input's end
// fewer may be.
func (z *bzReader) fill(n uint) {
	for z.n < n && z.err == nil && !z.inEOF {
		b, err := z.r.ReadByte()
		if err != nil {
			if err != io.EOF {
				z.err = err
			}
			z.inEOF = true
			return
		}
		z.bits = z.bits<<8 | uint64(b)
		z.n += 8
	}
}

func (z *bzReader) fail(format string, args ...any) error {
	if z.err == nil {
		z.err = fmt.Errorf("%w: %s", errBZip2, fmt.Sprintf(format, args...))
	}
	return z.err
}

func (z *bzReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if z.repeat > 0 {
			p[n] = z.repeatByte
			z.repeat--
			n++
			continue
		}
		if z.left == 0 {
			if n > 0 {
				return n, nil
			}
			if z.eof {
				return 0, io.EOF
			}
			if err := z.block(); err != nil {
				return 0, err
			}
			continue
		}
		// The inverse BWT gives the block's bytes, which are then
		// run-length decoded: four equal bytes are followed by a count
		// of further copies.
		z.tPos = z.tt[z.tPos]
		b := byte(z.tPos)
		z.tPos >>= 8
		z.left--
		if z.run == 4 {
			z.repeat, z.repeatByte = int(b), byte(z.last)
			z.run, z.last = 0, -1
			continue
		}
		if int(b) == z.last {
			z.run++
		} else {
			z.last, z.run = int(b), 1
		}
		p[n] = b
		n++
	}
	return n, nil
}

// block decodes the next block into tt, or reads the end marker.
func (z *bzReader) block() error {
	switch m := z.bit(8); {
	case z.err != nil:
		return z.err
	case m == bzEndMarker:
		z.eof = true
		return nil
	case m != bzBlockMarker:
		return z.fail("block marker 0x%02x", m)
	}
	// NSIS's blocks have no randomisation bit.
	origPtr := int(z.bit(24))
	// The symbols in use.
	var seqToUnseq [256]byte
	nInUse := 0
	used16 := z.bit(16)
	for i := 0; i < 16; i++ {
		if used16&(0x8000>>i) == 0 {
			continue
		}
		used := z.bit(16)
		for j := 0; j < 16; j++ {
			if used&(0x8000>>j) != 0 {
				seqToUnseq[nInUse] = byte(i*16 + j)
				nInUse++
			}
		}
	}
	if z.err != nil {
		return z.err
	}
	if nInUse == 0 {
		return z.fail("no symbols")
	}
	alpha := nInUse + 2
	nGroups := int(z.bit(3))
	nSel := int(z.bit(15))
	if z.err != nil {
		return z.err
	}
	if nGroups < 2 || nGroups > bzMaxGroups || nSel < 1 || nSel > bzMaxSel {
		return z.fail("%d groups, %d selectors", nGroups, nSel)
	}
	sel := make([]byte, nSel)
	pos := [bzMaxGroups]byte{0, 1, 2, 3, 4, 5}
	for i := range sel {
		j := 0
		for z.bit(1) == 1 {
			if j++; j >= nGroups || z.err != nil {
				return z.fail("selector")
			}
		}
		v := pos[j]
		copy(pos[1:j+1], pos[:j])
		pos[0] = v
		sel[i] = v
	}
	// Code lengths, delta coded, then canonical codes per group.
	type table struct {
		count [bzMaxCodeLen + 2]int
		first [bzMaxCodeLen + 2]int // first code of each length
		index [bzMaxCodeLen + 2]int // index in syms of that code
		syms  []uint16
	}
	tables := make([]table, nGroups)
	var lens [258]int
	for g := 0; g < nGroups; g++ {
		cur := int(z.bit(5))
		for i := 0; i < alpha; i++ {
			for {
				if cur < 1 || cur > bzMaxCodeLen || z.err != nil {
					return z.fail("code length %d", cur)
				}
				if z.bit(1) == 0 {
					break
				}
				if z.bit(1) == 0 {
					cur++
				} else {
					cur--
				}
			}
			lens[i] = cur
		}
		t := &tables[g]
		t.syms = make([]uint16, 0, alpha)
		for l := 1; l <= bzMaxCodeLen; l++ {
			for i := 0; i < alpha; i++ {
				if lens[i] == l {
					t.syms = append(t.syms, uint16(i))
					t.count[l]++
				}
			}
		}
		code, idx := 0, 0
		for l := 1; l <= bzMaxCodeLen; l++ {
			t.first[l], t.index[l] = code, idx
			code = (code + t.count[l]) << 1
			idx += t.count[l]
		}
	}
	// The symbols: move-to-front indices with runs of the front symbol
	// written in bijective base 2 (RUNA, RUNB), until the end of block.
	if z.tt == nil {
		z.tt = make([]uint32, bzMaxBlock)
	}
	var mtf [256]byte
	for i := range mtf {
		mtf[i] = byte(i)
	}
	var counts [256]int
	nblock := 0
	eob := nInUse + 1
	group, gpos := -1, 0
	next := func() int {
		if gpos == 0 {
			if group++; group >= nSel {
				z.fail("selectors run out")
				return -1
			}
			gpos = bzGroupSize
		}
		gpos--
		t := &tables[sel[group]]
		// Peek at the longest code's bits and take the first length
		// whose canonical codes hold the prefix.
		z.fill(bzMaxCodeLen)
		for l := uint(1); l <= bzMaxCodeLen; l++ {
			if l > z.n {
				if z.err == nil {
					z.err = io.ErrUnexpectedEOF
				}
				return -1
			}
			code := int(z.bits>>(z.n-l)) & (1<<l - 1)
			if k := code - t.first[l]; k >= 0 && k < t.count[l] {
				z.n -= l
				return int(t.syms[t.index[l]+k])
			}
		}
		z.fail("bad Huffman code")
		return -1
	}
	sym := next()
	for sym != eob {
		if sym < 0 {
			return z.err
		}
		if sym <= 1 {
			run, weight := 0, 1
			for sym == 0 || sym == 1 {
				run += weight << sym
				if weight <<= 1; weight > 1<<21 {
					return z.fail("run too long")
				}
				sym = next()
			}
			b := seqToUnseq[mtf[0]]
			if run > bzMaxBlock-nblock {
				return z.fail("block longer than %d bytes", bzMaxBlock)
			}
			counts[b] += run
			for ; run > 0; run-- {
				z.tt[nblock] = uint32(b)
				nblock++
			}
			continue
		}
		if nblock >= bzMaxBlock {
			return z.fail("block longer than %d bytes", bzMaxBlock)
		}
		k := sym - 1
		if k >= nInUse {
			return z.fail("symbol %d", sym)
		}
		v := mtf[k]
		copy(mtf[1:k+1], mtf[:k])
		mtf[0] = v
		b := seqToUnseq[v]
		counts[b]++
		z.tt[nblock] = uint32(b)
		nblock++
		sym = next()
	}
	if origPtr >= nblock {
		return z.fail("origin %d beyond the block's %d bytes", origPtr, nblock)
	}
	// Inverse BWT: link each position to the next.
	var cf [256]int
	sum := 0
	for i, c := range counts {
		cf[i] = sum
		sum += c
	}
	for i := 0; i < nblock; i++ {
		b := byte(z.tt[i])
		z.tt[cf[b]] |= uint32(i) << 8
		cf[b]++
	}
	z.tPos = z.tt[origPtr] >> 8
	z.left = nblock
	z.last, z.run = -1, 0
	return nil
}
