package lzfse

import "encoding/binary"

// lzvnBlock decodes a "bvxn" block at pos: a 12-byte header (magic, raw
// size, payload size) and an LZVN payload ending with its end-of-stream
// opcode. It returns the offset after the block.
func (d *decoder) lzvnBlock(src []byte, pos int) (int, error) {
	if len(src)-pos < 12 {
		return 0, errAt(pos, "LZVN block header is truncated")
	}
	rawN := uint64(binary.LittleEndian.Uint32(src[pos+4:]))
	payN := uint64(binary.LittleEndian.Uint32(src[pos+8:]))
	if payN > uint64(len(src)-pos-12) {
		return 0, errAt(pos, "LZVN payload of %d bytes runs past the stream", payN)
	}
	if err := d.room(rawN, pos); err != nil {
		return 0, err
	}
	start := d.n
	end := pos + 12 + int(payN)
	// Bound the output to this block's declared size.
	sub := &decoder{dst: d.dst[:start+int(rawN)], n: start}
	if err := sub.lzvn(src[:end], pos+12); err != nil {
		return 0, err
	}
	if sub.n != start+int(rawN) {
		return 0, errAt(pos, "LZVN block decodes to %d bytes, its header says %d", sub.n-start, rawN)
	}
	d.n = sub.n
	return end, nil
}

// lzvn decodes LZVN opcodes from src[i:] until the end-of-stream opcode,
// which with its padding must end src.
func (d *decoder) lzvn(src []byte, i int) error {
	dist := 0
	for {
		if i >= len(src) {
			return errAt(i, "LZVN payload ends without its end-of-stream opcode")
		}
		op := src[i]
		var l, m, size int
		newDist := -1
		need := func(n int) bool { return len(src)-i >= n }
		switch {
		case op == 0x06: // eos
			if len(src)-i != 8 {
				return errAt(i, "LZVN end-of-stream opcode is followed by %d bytes, want 7", len(src)-i-1)
			}
			return nil
		case op == 0x0e || op == 0x16: // nop
			i++
			continue
		case op >= 0xa0 && op <= 0xbf: // med_d
			if !need(3) {
				return errAt(i, "LZVN opcode is truncated")
			}
			l = int(op>>3) & 3
			m = (int(op&7)<<2 | int(src[i+1]&3)) + 3
			newDist = int(src[i+1]>>2) | int(src[i+2])<<6
			size = 3
		case op == 0xe0: // lrg_l
			if !need(2) {
				return errAt(i, "LZVN opcode is truncated")
			}
			l, size = int(src[i+1])+16, 2
		case op > 0xe0 && op <= 0xef: // sml_l
			l, size = int(op&15), 1
		case op == 0xf0: // lrg_m
			if !need(2) {
				return errAt(i, "LZVN opcode is truncated")
			}
			m, size = int(src[i+1])+16, 2
		case op > 0xf0: // sml_m
			m, size = int(op&15), 1
		case op&7 == 6 && op >= 0x40 && op < 0x70, op&7 == 6 && op >= 0x80 && op < 0xd0: // pre_d
			l, m, size = int(op>>6), int(op>>3&7)+3, 1
		case op&7 == 7 && op < 0x70, op&7 == 7 && op >= 0x80 && op < 0xd0: // lrg_d
			if !need(3) {
				return errAt(i, "LZVN opcode is truncated")
			}
			l, m, size = int(op>>6), int(op>>3&7)+3, 3
			newDist = int(binary.LittleEndian.Uint16(src[i+1:]))
		case op < 0x70, op >= 0x80 && op < 0xd0: // sml_d
			if op&7 == 6 {
				return errAt(i, "undefined LZVN opcode %#02x", op)
			}
			if !need(2) {
				return errAt(i, "LZVN opcode is truncated")
			}
			l, m, size = int(op>>6), int(op>>3&7)+3, 2
			newDist = int(op&7)<<8 | int(src[i+1])
		default:
			return errAt(i, "undefined LZVN opcode %#02x", op)
		}
		at := i
		i += size
		if l > 0 {
			if l > len(src)-i {
				return errAt(at, "%d LZVN literals run past the payload", l)
			}
			if err := d.literals(src[i:i+l], at); err != nil {
				return err
			}
			i += l
		}
		if newDist >= 0 {
			dist = newDist
		}
		if err := d.match(dist, m, at); err != nil {
			return err
		}
	}
}
