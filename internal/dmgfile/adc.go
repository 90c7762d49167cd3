package dmgfile

// ADC compresses b as Apple Data Compression (a UDCO image's chunks: see
// package dmg's decoder), greedily: at each position the longest match of
// the last position that started with the same three bytes, as a 2-byte
// phrase when it is short and near (3 to 18 bytes, up to 1024 back), else
// a 3-byte phrase (4 to 67 bytes, up to 65536 back); otherwise a literal,
// gathered into runs of up to 128. It writes every phrase kind.
func ADC(b []byte) []byte {
	var out, lit []byte
	flush := func() {
		for len(lit) > 0 {
			n := min(len(lit), 128)
			out = append(out, 0x80|byte(n-1))
			out = append(out, lit[:n]...)
			lit = lit[n:]
		}
	}
	last := map[[3]byte]int{}
	for i := 0; i < len(b); {
		n, back := 0, 0
		if i+3 <= len(b) {
			key := [3]byte{b[i], b[i+1], b[i+2]}
			if j, ok := last[key]; ok && i-j <= 65536 {
				for n < 67 && i+n < len(b) && b[j+n] == b[i+n] {
					n++
				}
				back = i - j
			}
			last[key] = i
		}
		switch {
		case n >= 3 && n <= 18 && back <= 1024:
			flush()
			d := back - 1
			out = append(out, byte(n-3)<<2|byte(d>>8), byte(d))
		case n >= 4:
			flush()
			d := back - 1
			out = append(out, 0x40|byte(n-4), byte(d>>8), byte(d))
		default:
			lit = append(lit, b[i])
			i++
			continue
		}
		i += n
	}
	flush()
	return out
}
