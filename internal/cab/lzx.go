package cab

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// LZX as cabinets use it ([MS-PATCH] LZXD, without its delta extensions;
// the window size in bits 8-12 of a folder's typeCompress). A folder is one
// LZX stream, started afresh: every CFDATA block is one 32 KiB frame of it
// (the folder's last may be shorter) whose bits start at the block's data;
// after the frame the bit stream is padded to 16 bits, so the block's data
// ends there. The stream holds blocks (verbatim, aligned offset,
// uncompressed) that may span frames; the Huffman code lengths of each
// block are given as deltas from the previous block's.
//
// Bits are read from 16-bit little-endian words, most significant bit
// first. Limits: the window is at most 2 MiB (and no larger than the
// folder's blocks can fill); a match may not reach before the stream's
// start or across the end of a frame or block; Huffman codes must be
// complete (or, for the length tree, empty); a frame's data is read no
// further than its block holds, and bytes of it left unread are an error;
// so is a frame after one whose data ends with an uncompressed block of odd
// size and no pad byte (extractors disagree on where that pad byte is).

// LZX's constants.
const (
	lzxMinMatch      = 2
	lzxNumChars      = 256
	lzxPrimaryLens   = 7
	lzxSecondaryLens = 249
	lzxPretreeSyms   = 20
	lzxAlignedSyms   = 8
	lzxFrame         = 32 << 10
	lzxMaxCodeLen    = 16
	lzxTableBits     = 12
	// Block types.
	lzxVerbatim     = 1
	lzxAligned      = 2
	lzxUncompressed = 3
)

// lzxSlots is the number of position slots of each window size (2^15 to
// 2^21).
var lzxSlots = map[int]int{15: 30, 16: 32, 17: 34, 18: 36, 19: 38, 20: 42, 21: 50}

// lzxBase and lzxExtra are each position slot's base offset (plus 2) and
// the number of bits that follow it.
var lzxBase, lzxExtra = func() (base [51]uint32, extra [51]uint8) {
	for i := range extra {
		switch {
		case i < 4:
			extra[i] = 0
		case i < 36:
			extra[i] = uint8(i/2 - 1)
		default:
			extra[i] = 17
		}
	}
	for i := 1; i < len(base); i++ {
		base[i] = base[i-1] + 1<<extra[i-1]
	}
	return
}()

var errLZXOverrun = errors.New("the LZX stream runs past its data block")

// huffman is a canonical Huffman code: a table of the codes of at most
// lzxTableBits bits, and the counts and sorted symbols the longer ones
// are decoded from bit by bit.
type huffman struct {
	table   [1 << lzxTableBits]uint16 // sym<<4 | len; len 0: a longer code
	count   [lzxMaxCodeLen + 1]uint16
	symbols []uint16
	empty   bool
}

// build makes the code of lens. A code must be complete; an empty one
// (every length zero) is allowed when mayBeEmpty, and decodes nothing.
func (h *huffman) build(lens []uint8, mayBeEmpty bool) error {
	h.count = [lzxMaxCodeLen + 1]uint16{}
	for _, l := range lens {
		h.count[l]++
	}
	h.count[0] = 0
	left := 1
	for l := 1; l <= lzxMaxCodeLen; l++ {
		left = left<<1 - int(h.count[l])
		if left < 0 {
			return errors.New("an LZX Huffman code is over-subscribed")
		}
	}
	h.empty = left == 1<<lzxMaxCodeLen
	if h.empty {
		if mayBeEmpty {
			return nil
		}
		return errors.New("an LZX Huffman code is empty")
	}
	if left != 0 {
		return errors.New("an LZX Huffman code is incomplete")
	}
	var offs [lzxMaxCodeLen + 2]int
	for l := 1; l <= lzxMaxCodeLen; l++ {
		offs[l+1] = offs[l] + int(h.count[l])
	}
	h.symbols = h.symbols[:0]
	h.symbols = append(h.symbols, make([]uint16, offs[lzxMaxCodeLen+1])...)
	for s, l := range lens {
		if l != 0 {
			h.symbols[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	// The table: codes are assigned in order of length, then symbol.
	clear(h.table[:])
	code, i := 0, 0
	for l := 1; l <= lzxTableBits; l++ {
		for k := 0; k < int(h.count[l]); k++ {
			s := h.symbols[i]
			i++
			span := 1 << (lzxTableBits - l)
			for j := code * span; j < (code+1)*span; j++ {
				h.table[j] = s<<4 | uint16(l)
			}
			code++
		}
		code <<= 1
	}
	return nil
}

// lzxBits reads one frame's bits.
type lzxBits struct {
	b    []byte
	base int    // where the bits start: the data's start, or after an uncompressed block
	pos  int    // the next byte to load (past len(b): zeros were loaded)
	v    uint32 // the next n bits, most significant first
	n    uint
}

func (r *lzxBits) fill() {
	for r.n <= 16 {
		var w uint32
		if r.pos+1 < len(r.b) {
			w = uint32(binary.LittleEndian.Uint16(r.b[r.pos:]))
		} else if r.pos < len(r.b) {
			w = uint32(r.b[r.pos])
		}
		r.v |= w << (16 - r.n)
		r.n += 16
		r.pos += 2
	}
}

// overrun reports bits read beyond the data.
func (r *lzxBits) overrun() bool { return 8*r.base+r.consumed() > 8*len(r.b) }

// consumed is the number of bits read since base.
func (r *lzxBits) consumed() int { return 8*(r.pos-r.base) - int(r.n) }

func (r *lzxBits) bits(k uint) uint32 {
	if k == 0 {
		return 0
	}
	r.fill()
	x := r.v >> (32 - k)
	r.v <<= k
	r.n -= k
	return x
}

func (r *lzxBits) decode(h *huffman) (int, error) {
	if h.empty {
		return 0, errors.New("an LZX symbol is read with an empty Huffman code")
	}
	r.fill()
	if e := h.table[r.v>>(32-lzxTableBits)]; e&15 != 0 {
		l := uint(e & 15)
		r.v <<= l
		r.n -= l
		return int(e >> 4), nil
	}
	code, first, index := 0, 0, 0
	v := r.v
	for l := 1; l <= lzxMaxCodeLen; l++ {
		code |= int(v >> 31)
		v <<= 1
		c := int(h.count[l])
		if code-first < c {
			r.v <<= uint(l)
			r.n -= uint(l)
			return int(h.symbols[index+code-first]), nil
		}
		index += c
		first = (first + c) << 1
		code <<= 1
	}
	return 0, errors.New("an LZX Huffman code is invalid")
}

// lzxDecoder decodes one folder's LZX stream, frame by frame.
type lzxDecoder struct {
	window     []byte
	wsize      int // the window's size as the stream knows it
	slots      int
	pos        int   // window position
	frameStart int   // window position of the frame's start
	total      int64 // bytes decoded before the frame
	frame      int
	r0, r1, r2 uint32

	headerRead   bool
	e8Size       int32 // the E8 translation's file size; 0: none
	e8Started    bool
	blockType    int
	blockLen     int
	blockLeft    int
	padPending   bool // an odd-sized uncompressed block ended a frame's data without its pad byte
	raw          bool // reading an uncompressed block's bytes
	mainLens     []uint8
	lengthLens   [lzxSecondaryLens]uint8
	alignedLens  [lzxAlignedSyms]uint8
	pretreeLens  [lzxPretreeSyms]uint8
	main, length huffman
	aligned      huffman
	pretree      huffman
	out          []byte
}

// newLZX returns a decoder for a window of 2^bits bytes (15 to 21) of a
// folder of at most maxOut bytes.
func newLZX(bits int, maxOut int64) (*lzxDecoder, error) {
	slots, ok := lzxSlots[bits]
	if !ok {
		return nil, fmt.Errorf("LZX window of 2^%d bytes; 2^15 to 2^21 are defined", bits)
	}
	wsize := 1 << bits
	// The window is never filled past the folder's size, so no more
	// is allocated.
	alloc := min(int64(wsize), (maxOut+lzxFrame-1)/lzxFrame*lzxFrame)
	return &lzxDecoder{
		window: make([]byte, alloc), wsize: wsize, slots: slots,
		r0: 1, r1: 1, r2: 1,
		mainLens: make([]uint8, lzxNumChars+8*slots),
	}, nil
}

// decodeFrame decodes the frame whose data is b into n bytes (lzxFrame,
// or fewer for the folder's last), returning them after the E8
// translation; they are valid until the next call.
func (z *lzxDecoder) decodeFrame(b []byte, n int) ([]byte, error) {
	if n <= 0 || n > lzxFrame {
		return nil, fmt.Errorf("an LZX frame of %d bytes", n)
	}
	if z.pos+n > len(z.window) {
		return nil, errors.New("the LZX stream holds more than its folder's blocks declare")
	}
	r := &lzxBits{b: b}
	if !z.headerRead {
		z.headerRead = true
		if r.bits(1) == 1 {
			hi := r.bits(16)
			z.e8Size = int32(hi<<16 | r.bits(16))
		}
	}
	if z.padPending {
		// The odd uncompressed block that ended the previous frame's data
		// left its pad byte out. 7-Zip and libmspack take this frame's
		// first byte for it; a decoder that starts each data block's bits
		// afresh takes it for the bits: the two read other bytes, so
		// neither reading is taken.
		return nil, errors.New("an uncompressed block of odd size ends the previous frame's data without its pad byte; extractors disagree on whether this frame's first byte is that pad byte")
	}
	z.frameStart = z.pos
	end := z.pos + n
	for z.pos < end {
		if z.blockLeft == 0 {
			z.endRaw(r)
			if err := z.readBlockHeader(r); err != nil {
				return nil, err
			}
			continue
		}
		run := min(z.blockLeft, end-z.pos)
		var err error
		if z.raw {
			err = z.copyRaw(r, run)
		} else {
			err = z.decodeRun(r, run)
		}
		if err != nil {
			return nil, err
		}
		z.blockLeft -= run
	}
	if z.blockLeft == 0 {
		z.endRaw(r)
	}
	// The frame's data ends at the next 16-bit boundary.
	used := r.pos
	if !z.raw {
		used = r.base + (r.consumed()+15)/16*2
	}
	if used > len(b) {
		return nil, errLZXOverrun
	}
	if used < len(b) {
		return nil, fmt.Errorf("the LZX frame leaves %d bytes of its data block unread", len(b)-used)
	}
	out := z.window[z.frameStart:end]
	z.total += int64(n)
	if z.e8Started && z.e8Size != 0 && z.frame <= 32768 && n > 10 {
		z.out = append(z.out[:0], out...)
		out = z.out
		e8Translate(out, int32(z.frame*lzxFrame), z.e8Size)
	}
	z.frame++
	if z.pos == z.wsize {
		z.pos = 0
	}
	return out, nil
}

// endRaw ends an uncompressed block whose bytes are all read: an odd
// number of them is followed by a pad byte (when this frame's data ends
// with the block instead, the next frame is refused: see decodeFrame),
// then the bits go on.
func (z *lzxDecoder) endRaw(r *lzxBits) {
	if !z.raw {
		return
	}
	z.raw = false
	if z.blockLen&1 == 1 {
		if r.pos < len(r.b) {
			r.pos++
		} else {
			z.padPending = true
		}
	}
	r.base, r.v, r.n = r.pos, 0, 0
}

// readBlockHeader reads a block's type, size and trees.
func (z *lzxDecoder) readBlockHeader(r *lzxBits) error {
	if r.overrun() {
		return errLZXOverrun
	}
	z.blockType = int(r.bits(3))
	hi := r.bits(16)
	z.blockLen = int(hi<<8 | r.bits(8))
	z.blockLeft = z.blockLen
	switch z.blockType {
	case lzxAligned:
		for i := range z.alignedLens {
			z.alignedLens[i] = uint8(r.bits(3))
		}
		if err := z.aligned.build(z.alignedLens[:], false); err != nil {
			return err
		}
		fallthrough
	case lzxVerbatim:
		if err := z.readLens(r, z.mainLens[:lzxNumChars]); err != nil {
			return err
		}
		if err := z.readLens(r, z.mainLens[lzxNumChars:]); err != nil {
			return err
		}
		if err := z.main.build(z.mainLens, false); err != nil {
			return err
		}
		if z.mainLens[0xE8] != 0 {
			z.e8Started = true
		}
		if err := z.readLens(r, z.lengthLens[:]); err != nil {
			return err
		}
		if err := z.length.build(z.lengthLens[:], true); err != nil {
			return err
		}
	case lzxUncompressed:
		z.e8Started = true
		// Pad to the next 16-bit boundary: 1 to 16 bits.
		at := r.base + (r.consumed()+16)/16*2
		if at+12 > len(r.b) {
			return errLZXOverrun
		}
		le := binary.LittleEndian
		z.r0, z.r1, z.r2 = le.Uint32(r.b[at:]), le.Uint32(r.b[at+4:]), le.Uint32(r.b[at+8:])
		r.pos, r.v, r.n = at+12, 0, 0
		z.raw = true
	default:
		return fmt.Errorf("LZX block type %d", z.blockType)
	}
	if r.overrun() {
		return errLZXOverrun
	}
	return nil
}

// readLens reads code lengths, as deltas from lens, through a pretree.
func (z *lzxDecoder) readLens(r *lzxBits, lens []uint8) error {
	for i := range z.pretreeLens {
		z.pretreeLens[i] = uint8(r.bits(4))
	}
	if err := z.pretree.build(z.pretreeLens[:], false); err != nil {
		return err
	}
	for x := 0; x < len(lens); {
		if r.overrun() {
			return errLZXOverrun
		}
		sym, err := r.decode(&z.pretree)
		if err != nil {
			return err
		}
		run := 1
		switch sym {
		case 17:
			run, sym = 4+int(r.bits(4)), -1
		case 18:
			run, sym = 20+int(r.bits(5)), -1
		case 19:
			run = 4 + int(r.bits(1))
			if sym, err = r.decode(&z.pretree); err != nil {
				return err
			}
			if sym > 16 {
				return fmt.Errorf("LZX pretree symbol %d in a run", sym)
			}
		}
		if x+run > len(lens) {
			return errors.New("an LZX code length run passes the tree's end")
		}
		if sym < 0 {
			clear(lens[x : x+run])
			x += run
			continue
		}
		// The delta applies to the first length of a run; the rest
		// repeat it.
		v := (int(lens[x]) - sym + 17) % 17
		for k := 0; k < run; k++ {
			lens[x+k] = uint8(v)
		}
		x += run
	}
	return nil
}

// copyRaw copies n bytes of an uncompressed block.
func (z *lzxDecoder) copyRaw(r *lzxBits, n int) error {
	if r.pos+n > len(r.b) {
		return errLZXOverrun
	}
	copy(z.window[z.pos:], r.b[r.pos:r.pos+n])
	r.pos += n
	z.pos += n
	return nil
}

// decodeRun decodes n bytes of a verbatim or aligned offset block; a match
// may not end past them.
func (z *lzxDecoder) decodeRun(r *lzxBits, n int) error {
	end := z.pos + n
	win := z.window
	for z.pos < end {
		if r.overrun() {
			return errLZXOverrun
		}
		sym, err := r.decode(&z.main)
		if err != nil {
			return err
		}
		if sym < lzxNumChars {
			win[z.pos] = byte(sym)
			z.pos++
			continue
		}
		sym -= lzxNumChars
		length := sym & lzxPrimaryLens
		if length == lzxPrimaryLens {
			l, err := r.decode(&z.length)
			if err != nil {
				return err
			}
			length += l
		}
		length += lzxMinMatch
		var off uint32
		switch slot := sym >> 3; slot {
		case 0:
			off = z.r0
		case 1:
			off, z.r1 = z.r1, z.r0
			z.r0 = off
		case 2:
			off, z.r2 = z.r2, z.r0
			z.r0 = off
		default:
			extra := uint(lzxExtra[slot])
			off = lzxBase[slot] - 2
			if z.blockType == lzxAligned && extra >= 3 {
				off += r.bits(extra-3) << 3
				a, err := r.decode(&z.aligned)
				if err != nil {
					return err
				}
				off += uint32(a)
			} else {
				off += r.bits(extra)
			}
			z.r2, z.r1, z.r0 = z.r1, z.r0, off
		}
		if z.pos+length > end {
			return fmt.Errorf("an LZX match of %d bytes runs past its block or frame", length)
		}
		// The offset reaches back at most the window and the stream.
		done := z.total + int64(z.pos-z.frameStart)
		if off == 0 || int64(off) > int64(z.wsize) || int64(off) > done {
			return fmt.Errorf("an LZX match reaches %d bytes back, %d are decoded", off, done)
		}
		src := z.pos - int(off)
		if src < 0 {
			src += z.wsize
		}
		if src+length <= z.pos {
			// Neither overlapping nor wrapping: one copy.
			copy(win[z.pos:z.pos+length], win[src:src+length])
			z.pos += length
			continue
		}
		for k := 0; k < length; k++ {
			win[z.pos+k] = win[src]
			src++
			if src == z.wsize {
				src = 0
			}
		}
		z.pos += length
	}
	return nil
}

// e8Translate undoes the encoder's E8 (CALL) translation of a frame at
// stream offset cur: each E8 byte's 32-bit operand, absolute, is made
// relative again when it lies in [-cur, size). The last 10 bytes of a
// frame are not looked at.
func e8Translate(b []byte, cur, size int32) {
	le := binary.LittleEndian
	for i := 0; i < len(b)-10; {
		if b[i] != 0xE8 {
			i++
			cur++
			continue
		}
		abs := int32(le.Uint32(b[i+1:]))
		if abs >= -cur && abs < size {
			rel := abs + size
			if abs >= 0 {
				rel = abs - cur
			}
			le.PutUint32(b[i+1:], uint32(rel))
		}
		i += 5
		cur += 5
	}
}
