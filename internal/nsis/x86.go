package nsis

import "io"

// The x86 branch converter (BCJ) of the LZMA SDK, decoding side, which
// the NSIS builds of 7-Zip's installers (4.38 to 9.08) put before LZMA: a
// filter flag byte of 1 before a stream's LZMA properties says that what
// the stream decompresses to is to be filtered.
//
// The encoder rewrote the 32-bit relative operand of each CALL (E8) and
// JMP (E9) it took for an instruction into an absolute address (operand
// plus the offset of the instruction's end), so that calls to one
// function compress alike; the decoder subtracts it back. Which E8/E9
// bytes are taken is decided on bytes the filter leaves as they are, so
// both sides decide alike:
//
//   - an opcode is a candidate only if four bytes follow it in the stream
//     (the last four bytes of a stream are never converted);
//   - its operand's high byte must be 0x00 or 0xFF (a near target);
//   - E8/E9 bytes skipped among the three bytes before it veto it: two or
//     more always, one at distance d when the byte at offset 4-d of this
//     instruction (the high byte of the operand that earlier opcode would
//     have had) is 0x00 or 0xFF;
//   - a taken instruction's five bytes are not scanned again.
//
// When a skipped opcode lies in the three bytes before a taken one, the
// encoder also made sure that the converted operand's byte that the
// decoder tests is not 0x00 or 0xFF, by inverting the operand's low bits
// below it until it is not; the decoder undoes each step in turn.
//
// Positions are the offsets in the stream, from 0, modulo 2^32.

// x86State is the converter's state between buffers: the skipped E8/E9
// bytes at most three bytes before the next one to look at.
type x86State struct {
	// mask has bit k set when the byte k before last was a skipped
	// E8/E9 (bit 0: last itself).
	mask uint32
	// last is the stream offset of the last candidate skipped.
	last int64
}

func newX86State() x86State { return x86State{last: -8} }

// nearByte reports the high byte of a near operand: 0x00 or 0xFF.
func nearByte(b byte) bool { return b == 0 || b == 0xFF }

// x86Convert converts the instructions of b, the bytes at stream offset
// pos, in place (decoding, or encoding when enc is set, for tests), and
// returns how many bytes of b are done: the rest (at most four bytes, and
// none of them converted) must be given again with the bytes that follow
// them, or, at the stream's end, be left as they are.
func (s *x86State) convert(b []byte, pos int64, enc bool) int {
	i := 0
	for i+5 <= len(b) {
		if b[i]&0xFE != 0xE8 {
			i++
			continue
		}
		at := pos + int64(i)
		// rel has bit d-1 set for a skipped E8/E9 at at-d, d = 1..3.
		var rel uint32
		if d := at - s.last; d <= 3 {
			rel = s.mask << (d - 1) & 7
		}
		// far is the distance of the farthest of them.
		far := 0
		switch {
		case rel >= 4:
			far = 3
		case rel >= 2:
			far = 2
		case rel == 1:
			far = 1
		}
		take := nearByte(b[i+4])
		if rel != 0 && (rel&(rel-1) != 0 || nearByte(b[i+4-far])) {
			// Two or more skipped opcodes before it, or the one there is
			// would have had a near operand through this one's bytes.
			take = false
		}
		if !take {
			s.mask = rel<<1&7 | 1
			s.last = at
			i++
			continue
		}
		v := uint32(b[i+1]) | uint32(b[i+2])<<8 | uint32(b[i+3])<<16 | uint32(b[i+4])<<24
		end := uint32(at + 5)
		var out uint32
		for {
			if enc {
				out = v + end
			} else {
				out = v - end
			}
			if far == 0 {
				break
			}
			shift := 24 - 8*uint(far)
			if !nearByte(byte(out >> shift)) {
				break
			}
			v = out ^ (1<<(shift+8) - 1)
		}
		// The high byte is the sign of the 25-bit result.
		hi := byte(0)
		if out&(1<<24) != 0 {
			hi = 0xFF
		}
		b[i+1], b[i+2], b[i+3], b[i+4] = byte(out), byte(out>>8), byte(out>>16), hi
		s.mask, s.last = 0, -8
		i += 5
	}
	return i
}

// x86BufSize is the size of the converter's one buffer.
const x86BufSize = 32 << 10

// x86Reader reads what r yields with the x86 branch conversion undone,
// through one buffer of x86BufSize bytes.
type x86Reader struct {
	r     io.Reader
	buf   []byte
	start int   // buf[start:done] are converted, to be returned
	done  int   // buf[done:end] wait for the bytes after them
	end   int   //
	pos   int64 // stream offset of buf[done]
	state x86State
	err   error
}

func newX86Reader(r io.Reader) *x86Reader {
	return &x86Reader{r: r, buf: make([]byte, x86BufSize), state: newX86State()}
}

func (x *x86Reader) Read(p []byte) (int, error) {
	for x.start == x.done {
		if x.err != nil {
			if x.done < x.end {
				// The stream's last bytes: never converted.
				x.done = x.end
				continue
			}
			return 0, x.err
		}
		// Keep the bytes that wait, and fill the buffer after them.
		n := copy(x.buf, x.buf[x.done:x.end])
		x.start, x.done, x.end = 0, 0, n
		for empty := 0; x.end < len(x.buf) && x.err == nil; {
			k, err := x.r.Read(x.buf[x.end:])
			x.end += k
			x.err = err
			if k == 0 && err == nil {
				if empty++; empty == 100 {
					x.err = io.ErrNoProgress
				}
				continue
			}
			if x.end-x.done >= 5 {
				break
			}
		}
		k := x.state.convert(x.buf[:x.end], x.pos, false)
		x.done = k
		x.pos += int64(k)
	}
	n := copy(p, x.buf[x.start:x.done])
	x.start += n
	return n, nil
}
