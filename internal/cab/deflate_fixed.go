package cab

// mszipBlock returns the MSZIP data of one CFDATA block holding chunk
// ([MS-MCI] 2.1: "CK" and a deflate stream that ends with its final
// block, back references reaching into window, the previous blocks' last
// 32 KiB): one final deflate block with the fixed Huffman codes, matches
// found greedily. Fixed codes are complete, which every MSZIP decoder
// takes: compress/flate writes an incomplete code (one distance code of
// one bit, as RFC 1951 allows) for data with a single match distance, and
// libmspack (cabextract) refuses it, as it refuses any incomplete code.
// compress/flate also closes with an empty stored block after the data,
// where Microsoft's encoders end the data's own block with BFINAL.
func mszipBlock(chunk, window []byte) []byte {
	buf := append(append(make([]byte, 0, len(window)+len(chunk)), window...), chunk...)
	w := &deflateBits{out: []byte("CK")}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman codes
	const hashLen, maxChain = 3, 256
	hash := func(i int) int { return (int(buf[i])<<10 ^ int(buf[i+1])<<5 ^ int(buf[i+2])) & 0x7fff }
	head := make([]int32, 1<<15)
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(buf))
	insert := func(i int) {
		if i+hashLen <= len(buf) {
			h := hash(i)
			prev[i], head[h] = head[h], int32(i)
		}
	}
	for i := range len(window) {
		insert(i)
	}
	for i := len(window); i < len(buf); {
		bestLen, bestDist := 0, 0
		if i+hashLen <= len(buf) {
			j := int(head[hash(i)])
			for n := 0; j >= 0 && i-j <= maxBlockUncomp && n < maxChain && bestLen < 258; n++ {
				l := 0
				for l < 258 && i+l < len(buf) && buf[j+l] == buf[i+l] {
					l++
				}
				if l > bestLen {
					bestLen, bestDist = l, i-j
				}
				j = int(prev[j])
			}
		}
		if bestLen < hashLen {
			w.literal(int(buf[i]))
			insert(i)
			i++
			continue
		}
		w.match(bestLen, bestDist)
		for k := range bestLen {
			insert(i + k)
		}
		i += bestLen
	}
	w.literal(256) // end of block
	return w.flush()
}

// deflateBits writes a deflate bit stream (RFC 1951 3.1.1: values least
// significant bit first, Huffman codes most significant bit first).
type deflateBits struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *deflateBits) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// code writes the n-bit Huffman code c.
func (w *deflateBits) code(c uint64, n uint) {
	var r uint64
	for range n {
		r = r<<1 | c&1
		c >>= 1
	}
	w.bits(r, n)
}

// literal writes literal/length symbol s with the fixed codes (RFC 1951
// 3.2.6).
func (w *deflateBits) literal(s int) {
	switch {
	case s < 144:
		w.code(uint64(0x30+s), 8)
	case s < 256:
		w.code(uint64(0x190+s-144), 9)
	case s < 280:
		w.code(uint64(s-256), 7)
	default:
		w.code(uint64(0xc0+s-280), 8)
	}
}

var (
	lenBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distXtra = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// match writes a back reference of length 3-258 at distance 1-32768.
func (w *deflateBits) match(length, dist int) {
	i := len(lenBase) - 1
	for lenBase[i] > length {
		i--
	}
	w.literal(257 + i)
	w.bits(uint64(length-lenBase[i]), lenExtra[i])
	d := len(distBase) - 1
	for distBase[d] > dist {
		d--
	}
	w.code(uint64(d), 5)
	w.bits(uint64(dist-distBase[d]), distXtra[d])
}

// flush returns the stream, its last byte padded with zero bits.
func (w *deflateBits) flush() []byte {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.nacc = 0, 0
	}
	return w.out
}
