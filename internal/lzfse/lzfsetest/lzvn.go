package lzfsetest

import "encoding/binary"

// encodeLZVN appends a "bvxn" block holding b.
func encodeLZVN(out, b []byte) []byte {
	var p []byte
	prev := -1
	for _, s := range matches(b, 1<<20, 65535) {
		lit := b[s.lit : s.lit+s.l]
		if s.m == 0 {
			p = lzvnLiterals(p, lit)
			break
		}
		if len(lit) > 3 {
			p = lzvnLiterals(p, lit)
			lit = nil
		}
		p, lit = lzvnMatch(p, lit, s, prev)
		prev = s.d
	}
	p = append(p, 0x06, 0, 0, 0, 0, 0, 0, 0)
	out = le32(out, 0x6e787662)
	out = le32(out, uint32(len(b)))
	out = le32(out, uint32(len(p)))
	return append(out, p...)
}

// lzvnLiterals appends literal opcodes for lit.
func lzvnLiterals(p, lit []byte) []byte {
	for len(lit) > 0 {
		n := min(len(lit), 271)
		if n >= 16 {
			p = append(p, 0xe0, byte(n-16))
		} else {
			p = append(p, 0xe0|byte(n))
		}
		p = append(p, lit[:n]...)
		lit = lit[n:]
	}
	return p
}

// validLM reports whether a one-byte L/M/D opcode with l, m and low bits x
// is defined (not eos, nop, undefined or med_d).
func validLM(l, m, x int) (byte, bool) {
	if l > 3 || m < 3 || m > 10 {
		return 0, false
	}
	op := l<<6 | (m-3)<<3 | x
	if op < 0x70 && (l > 0 || x != 6) || op >= 0x80 && op < 0xa0 || op >= 0xc0 && op < 0xd0 {
		return byte(op), true
	}
	return 0, false
}

// lzvnMatch appends the opcodes of match s preceded by at most 3 literals
// lit, then any remaining match length.
func lzvnMatch(p, lit []byte, s seq, prev int) ([]byte, []byte) {
	l, d, m := len(lit), s.d, s.m
	m0 := min(m, 10)
	if op, ok := validLM(l, m0, 6); ok && d == prev {
		p = append(append(p, op), lit...)
	} else if op, ok := validLM(l, m0, d>>8); ok && d < 0x600 {
		p = append(append(p, op, byte(d)), lit...)
	} else if d < 1<<14 && l <= 3 {
		m0 = min(m, 34)
		mm := m0 - 3
		p = append(append(p, 0xa0|byte(l)<<3|byte(mm>>2), byte(mm&3)|byte(d<<2), byte(d>>6)), lit...)
	} else if op, ok := validLM(l, m0, 7); ok {
		p = append(append(p, op), binary.LittleEndian.AppendUint16(nil, uint16(d))...)
		p = append(p, lit...)
	} else {
		p = lzvnLiterals(p, lit)
		op, _ := validLM(0, m0, 7)
		p = append(append(p, op), binary.LittleEndian.AppendUint16(nil, uint16(d))...)
	}
	for m -= m0; m > 0; {
		n := min(m, 271)
		if n >= 16 {
			p = append(p, 0xf0, byte(n-16))
		} else {
			p = append(p, 0xf0|byte(n))
		}
		m -= n
	}
	return p, nil
}

// EncodeLZVN compresses data into a bare LZVN payload, without the
// "bvxn" block header, ending with its end-of-stream opcode: as macOS
// transparent compression (com.apple.decmpfs types 7 and 8) stores it.
func EncodeLZVN(data []byte) []byte {
	return encodeLZVN(nil, data)[12:]
}
