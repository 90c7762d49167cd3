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
	seqToUnseq, nInUse, err := z.symbolMap()
	if err != nil {
		return err
	}
	sel, nGroups, err := z.selectors()
	if err != nil {
		return err
	}
	tables, err := z.codeTables(nGroups, nInUse+2)
	if err != nil {
		return err
	}
	counts, nblock, err := z.symbols(&bzHuffman{z: z, tables: tables, sel: sel, group: -1}, &seqToUnseq, nInUse)
	if err != nil {
		return err
	}
	if origPtr >= nblock {
		return z.fail("origin %d beyond the block's %d bytes", origPtr, nblock)
	}
	z.inverseBWT(&counts, nblock, origPtr)
	return nil
}

// symbolMap reads the block's symbols in use: seqToUnseq maps each of the
// nInUse symbols to its byte.
func (z *bzReader) symbolMap() (seqToUnseq [256]byte, nInUse int, err error) {
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
		return seqToUnseq, 0, z.err
	}
	if nInUse == 0 {
		return seqToUnseq, 0, z.fail("no symbols")
	}
	return seqToUnseq, nInUse, nil
}

// selectors reads the number of Huffman groups and the move-to-front coded
// selectors, which say the group of each run of bzGroupSize symbols.
func (z *bzReader) selectors() (sel []byte, nGroups int, err error) {
	nGroups = int(z.bit(3))
	nSel := int(z.bit(15))
	if z.err != nil {
		return nil, 0, z.err
	}
	if nGroups < 2 || nGroups > bzMaxGroups || nSel < 1 || nSel > bzMaxSel {
		return nil, 0, z.fail("%d groups, %d selectors", nGroups, nSel)
	}
	sel = make([]byte, nSel)
	pos := [bzMaxGroups]byte{0, 1, 2, 3, 4, 5}
	for i := range sel {
		j := 0
		for z.bit(1) == 1 {
			if j++; j >= nGroups || z.err != nil {
				return nil, 0, z.fail("selector")
			}
		}
		v := pos[j]
		copy(pos[1:j+1], pos[:j])
		pos[0] = v
		sel[i] = v
	}
	return sel, nGroups, nil
}

// bzTable is one group's canonical Huffman code.
type bzTable struct {
	count [bzMaxCodeLen + 2]int
	first [bzMaxCodeLen + 2]int // first code of each length
	index [bzMaxCodeLen + 2]int // index in syms of that code
	syms  []uint16
}

// codeTables reads each group's code lengths, delta coded, and makes its
// canonical code over an alphabet of alpha symbols.
func (z *bzReader) codeTables(nGroups, alpha int) ([]bzTable, error) {
	tables := make([]bzTable, nGroups)
	var lens [258]int
	for g := 0; g < nGroups; g++ {
		cur := int(z.bit(5))
		for i := 0; i < alpha; i++ {
			for {
				if cur < 1 || cur > bzMaxCodeLen || z.err != nil {
					return nil, z.fail("code length %d", cur)
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
		tables[g].canonical(lens[:alpha])
	}
	return tables, nil
}

// canonical fills t with the canonical code of the symbols' code lengths.
func (t *bzTable) canonical(lens []int) {
	t.syms = make([]uint16, 0, len(lens))
	for l := 1; l <= bzMaxCodeLen; l++ {
		for i, n := range lens {
			if n == l {
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

// bzHuffman decodes a block's symbols, switching group every bzGroupSize
// symbols as the selectors say.
type bzHuffman struct {
	z      *bzReader
	tables []bzTable
	sel    []byte
	group  int // index in sel, -1 before the first symbol
	gpos   int // symbols left in the group's run
}

// next returns the next symbol, or -1 with z.err set.
func (h *bzHuffman) next() int {
	z := h.z
	if h.gpos == 0 {
		if h.group++; h.group >= len(h.sel) {
			z.fail("selectors run out")
			return -1
		}
		h.gpos = bzGroupSize
	}
	h.gpos--
	t := &h.tables[h.sel[h.group]]
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

// symbols decodes the block's bytes into tt: move-to-front indices with
// runs of the front symbol written in bijective base 2 (RUNA, RUNB), until
// the end of block. It returns how many times each byte occurs, and the
// block's length.
func (z *bzReader) symbols(h *bzHuffman, seqToUnseq *[256]byte, nInUse int) (counts [256]int, nblock int, err error) {
	if z.tt == nil {
		z.tt = make([]uint32, bzMaxBlock)
	}
	var mtf [256]byte
	for i := range mtf {
		mtf[i] = byte(i)
	}
	eob := nInUse + 1
	sym := h.next()
	for sym != eob {
		if sym < 0 {
			return counts, 0, z.err
		}
		if sym <= 1 {
			run, weight := 0, 1
			for sym == 0 || sym == 1 {
				run += weight << sym
				if weight <<= 1; weight > 1<<21 {
					return counts, 0, z.fail("run too long")
				}
				sym = h.next()
			}
			b := seqToUnseq[mtf[0]]
			if run > bzMaxBlock-nblock {
				return counts, 0, z.fail("block longer than %d bytes", bzMaxBlock)
			}
			counts[b] += run
			for ; run > 0; run-- {
				z.tt[nblock] = uint32(b)
				nblock++
			}
			continue
		}
		if nblock >= bzMaxBlock {
			return counts, 0, z.fail("block longer than %d bytes", bzMaxBlock)
		}
		k := sym - 1
		if k >= nInUse {
			return counts, 0, z.fail("symbol %d", sym)
		}
		v := mtf[k]
		copy(mtf[1:k+1], mtf[:k])
		mtf[0] = v
		b := seqToUnseq[v]
		counts[b]++
		z.tt[nblock] = uint32(b)
		nblock++
		sym = h.next()
	}
	return counts, nblock, nil
}

// inverseBWT links each of the block's positions to the next, and sets the
// output state to emit the block from origPtr.
func (z *bzReader) inverseBWT(counts *[256]int, nblock, origPtr int) {
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
}
