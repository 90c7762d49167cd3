package lzfsetest

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

var (
	lBase  = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 28, 60}
	lExtra = []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 5, 8}
	mBase  = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 56, 312}
	mExtra = []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 8, 11}
	dBase  = make([]int, 64)
	dExtra = make([]int, 64)
)

func init() {
	base := 0
	for i := range 64 {
		dExtra[i], dBase[i] = i/4, base
		base += 1 << (i / 4)
	}
}

// symbol returns the symbol whose range holds v.
func symbol(base []int, v int) int {
	s := 0
	for i, b := range base {
		if b <= v {
			s = i
		}
	}
	return s
}

// normalize scales counts to frequencies summing to n, each used symbol
// keeping at least 1.
func normalize(counts []int, n int) []uint16 {
	total := 0
	for _, c := range counts {
		total += c
	}
	f := make([]uint16, len(counts))
	if total == 0 {
		f[0] = uint16(n) // unused table: give every state to symbol 0
		return f
	}
	sum, big := 0, 0
	for i, c := range counts {
		if c > 0 {
			f[i] = uint16(max(1, c*n/total))
			sum += int(f[i])
			if f[i] > f[big] {
				big = i
			}
		}
	}
	for sum > n { // take from symbols above 1, largest first
		i := slices.Index(f, slices.Max(f))
		f[i]--
		sum--
	}
	f[big] += uint16(n - sum)
	return f
}

// encTable maps (symbol, state after decoding) to the decoder state and
// the bits that lead there.
type encTable struct {
	state [][]uint16 // [sym][x] -> table index
	k     []int8     // [table index] -> state bits
	delta []int      // [table index] -> delta
}

func newEncTable(n int, freq []uint16) *encTable {
	e := &encTable{state: make([][]uint16, len(freq)), k: make([]int8, n), delta: make([]int, n)}
	nclz := bits.LeadingZeros32(uint32(n))
	t := 0
	for sym, fr := range freq {
		if fr == 0 {
			continue
		}
		e.state[sym] = make([]uint16, n)
		f := int(fr)
		k := bits.LeadingZeros32(uint32(f)) - nclz
		j0 := (2*n)>>k - f
		for j := range f {
			kk, delta := k, (f+j)<<k-n
			if j >= j0 {
				kk, delta = k-1, (j-j0)<<(k-1)
			}
			e.k[t], e.delta[t] = int8(kk), delta
			for b := range 1 << kk {
				e.state[sym][delta+b] = uint16(t)
			}
			t++
		}
	}
	return e
}

// encode moves *x back over sym and returns the bits and their count.
func (e *encTable) encode(x *int, sym int) (uint64, int) {
	t := int(e.state[sym][*x])
	b := uint64(*x - e.delta[t])
	*x = t
	return b, int(e.k[t])
}

// bitWriter packs bits least-significant first.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc int
}

func (w *bitWriter) push(v uint64, n int) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// finish flushes the last byte and returns the stream and its padding
// (0 to -7 bits).
func (w *bitWriter) finish() ([]byte, int) {
	if w.nacc == 0 {
		return w.buf, 0
	}
	pad := w.nacc - 8
	w.buf = append(w.buf, byte(w.acc))
	return w.buf, pad
}

// freqCode appends v in the v2 header's frequency code.
func freqCode(w *bitWriter, v int) {
	small := [][2]int{{0, 2}, {2, 2}, {1, 3}, {5, 3}, {3, 5}, {11, 5}, {19, 5}, {27, 5}}
	switch {
	case v < 8:
		w.push(uint64(small[v][0]), small[v][1])
	case v < 24:
		w.push(uint64(7|(v-8)<<4), 8)
	default:
		w.push(uint64(15|(v-24)<<4), 14)
	}
}

// encodeV2 appends a "bvx2" block holding b.
func encodeV2(out, b []byte) []byte {
	seqs := matches(b, 2359, 262139)
	var lits []byte
	type lmd struct{ l, m, d int }
	var ls []lmd
	for _, s := range seqs {
		lit := b[s.lit : s.lit+s.l]
		for len(lit) > 315 { // L is at most 315: spill with M = 0
			ls = append(ls, lmd{315, 0, 0})
			lits = append(lits, lit[:315]...)
			lit = lit[315:]
		}
		lits = append(lits, lit...)
		ls = append(ls, lmd{len(lit), s.m, s.d})
	}
	nLit := len(lits)
	for len(lits)%4 != 0 || len(lits) == 0 {
		lits = append(lits, 0)
	}
	lc, lcnt, mcnt, dcnt := make([]int, 256), make([]int, 20), make([]int, 20), make([]int, 64)
	for _, c := range lits {
		lc[c]++
	}
	for _, x := range ls {
		lcnt[symbol(lBase, x.l)]++
		mcnt[symbol(mBase, x.m)]++
		dcnt[symbol(dBase, x.d)]++
	}
	litF, lF, mF, dF := normalize(lc, 1024), normalize(lcnt, 64), normalize(mcnt, 64), normalize(dcnt, 256)
	// Literals, in reverse decoding order.
	lt := newEncTable(1024, litF)
	var lw bitWriter
	st := [4]int{}
	for i := len(lits) - 4; i >= 0; i -= 4 {
		for j := 3; j >= 0; j-- {
			v, n := lt.encode(&st[j], int(lits[i+j]))
			lw.push(v, n)
		}
	}
	litPay, litBits := lw.finish()
	// L/M/D triplets, in reverse decoding order.
	tabs := []*encTable{newEncTable(64, lF), newEncTable(64, mF), newEncTable(256, dF)}
	bases, extras := [][]int{lBase, mBase, dBase}, [][]int{lExtra, mExtra, dExtra}
	// Apple's encoder starts the L/M/D payload with 8 zero bytes, and
	// 7-Zip checks that it does.
	mw := bitWriter{buf: make([]byte, 8)}
	xs := [3]int{}
	for i := len(ls) - 1; i >= 0; i-- {
		vals := [3]int{ls[i].l, ls[i].m, ls[i].d}
		for j := 2; j >= 0; j-- {
			sym := symbol(bases[j], vals[j])
			sb, sn := tabs[j].encode(&xs[j], sym)
			e := extras[j][sym]
			mw.push(sb<<e|uint64(vals[j]-bases[j][sym]), sn+e)
		}
	}
	lmdPay, lmdBits := mw.finish()
	var fw bitWriter
	for _, t := range [][]uint16{lF, mF, dF, litF} {
		for _, f := range t {
			freqCode(&fw, int(f))
		}
	}
	freqs, _ := fw.finish()
	hsize := 32 + len(freqs)
	f0 := uint64(len(lits)) | uint64(len(litPay))<<20 | uint64(len(ls))<<40 | uint64(litBits+7)<<60
	f1 := uint64(st[0]) | uint64(st[1])<<10 | uint64(st[2])<<20 | uint64(st[3])<<30 | uint64(len(lmdPay))<<40 | uint64(lmdBits+7)<<60
	f2 := uint64(hsize) | uint64(xs[0])<<32 | uint64(xs[1])<<42 | uint64(xs[2])<<52
	_ = nLit
	out = le32(out, 0x32787662)
	out = le32(out, uint32(len(b)))
	for _, f := range []uint64{f0, f1, f2} {
		out = binary.LittleEndian.AppendUint64(out, f)
	}
	out = append(out, freqs...)
	out = append(out, litPay...)
	return append(out, lmdPay...)
}
