package cab

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The test's LZX encoder: greedy matches (repeated offsets first), the
// block types in turn, code lengths sent as deltas, runs of zeros and runs
// of one value, E8 translation. Enough to exercise every path of the
// decoder; 7-Zip, which reads LZX cabinets, checks it.

type lzxEncOpts struct {
	window    int   // bits
	e8        int32 // E8 translation size; 0: none
	types     []int // block types, in turn
	blockSize int   // bytes per LZX block
	noMatches bool
}

type lzxToken struct {
	lit    byte
	length int // 0: a literal
	off    uint32
}

// bitWriter writes bits most significant first into 16-bit little-endian
// words.
type bitWriter struct {
	out []byte
	v   uint32
	n   uint
}

func (w *bitWriter) bits(v uint32, k uint) {
	for k > 0 {
		take := min(k, 16-w.n)
		w.v = w.v<<take | (v>>(k-take))&(1<<take-1)
		w.n += take
		k -= take
		if w.n == 16 {
			w.out = binary.LittleEndian.AppendUint16(w.out, uint16(w.v))
			w.v, w.n = 0, 0
		}
	}
}

// align pads to 16 bits (nothing when aligned).
func (w *bitWriter) align() {
	if w.n > 0 {
		w.bits(0, 16-w.n)
	}
}

// huffLens returns code lengths of at most limit bits for freqs.
func huffLens(freqs []int, limit int) []uint8 {
	f := append([]int(nil), freqs...)
	for {
		lens := huffLensOnce(f)
		ok := true
		for _, l := range lens {
			if int(l) > limit {
				ok = false
			}
		}
		if ok {
			return lens
		}
		for i := range f {
			if f[i] > 0 {
				f[i] = f[i]/2 + 1
			}
		}
	}
}

type node struct {
	freq        int
	sym         int
	left, right *node
}
type nodeHeap []*node

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	if h[i].freq != h[j].freq {
		return h[i].freq < h[j].freq
	}
	return h[i].sym < h[j].sym
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func huffLensOnce(freqs []int) []uint8 {
	lens := make([]uint8, len(freqs))
	h := &nodeHeap{}
	for s, f := range freqs {
		if f > 0 {
			*h = append(*h, &node{freq: f, sym: s})
		}
	}
	if h.Len() == 0 {
		return lens
	}
	heap.Init(h)
	next := len(freqs)
	for h.Len() > 1 {
		a, b := heap.Pop(h).(*node), heap.Pop(h).(*node)
		heap.Push(h, &node{freq: a.freq + b.freq, sym: next, left: a, right: b})
		next++
	}
	var walk func(n *node, d int)
	walk = func(n *node, d int) {
		if n.left == nil {
			lens[n.sym] = uint8(max(d, 1))
			return
		}
		walk(n.left, d+1)
		walk(n.right, d+1)
	}
	walk((*h)[0], 0)
	return lens
}

// codes returns the canonical codes of lens.
func codes(lens []uint8) []uint32 {
	var count [17]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [18]uint32
	code := uint32(0)
	for l := 1; l <= 16; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}
	out := make([]uint32, len(lens))
	for s, l := range lens {
		if l != 0 {
			out[s] = next[l]
			next[l]++
		}
	}
	return out
}

// complete makes freqs give a complete code: at least two symbols.
func complete(freqs []int) {
	n := 0
	for _, f := range freqs {
		if f > 0 {
			n++
		}
	}
	for i := 0; n < 2 && i < len(freqs); i++ {
		if freqs[i] == 0 {
			freqs[i] = 1
			n++
		}
	}
}

// writeLens writes lens as deltas from prev through a pretree.
func writeLens(w *bitWriter, prev, lens []uint8) {
	type op struct{ sym, extra, ebits, sym2 int }
	var ops []op
	for x := 0; x < len(lens); {
		z := 0
		for x+z < len(lens) && lens[x+z] == 0 && z < 51 {
			z++
		}
		same := 1
		for x+same < len(lens) && lens[x+same] == lens[x] && same < 5 {
			same++
		}
		switch {
		case z >= 20:
			ops = append(ops, op{18, z - 20, 5, -1})
			x += z
		case z >= 4:
			ops = append(ops, op{17, z - 4, 4, -1})
			x += z
		case same >= 4:
			ops = append(ops, op{19, same - 4, 1, (int(prev[x]) - int(lens[x]) + 17) % 17})
			x += same
		default:
			ops = append(ops, op{(int(prev[x]) - int(lens[x]) + 17) % 17, 0, 0, -1})
			x++
		}
	}
	freqs := make([]int, lzxPretreeSyms)
	for _, o := range ops {
		freqs[o.sym]++
		if o.sym2 >= 0 {
			freqs[o.sym2]++
		}
	}
	complete(freqs)
	pl := huffLens(freqs, 15)
	pc := codes(pl)
	for _, l := range pl {
		w.bits(uint32(l), 4)
	}
	for _, o := range ops {
		w.bits(pc[o.sym], uint(pl[o.sym]))
		if o.ebits > 0 {
			w.bits(uint32(o.extra), uint(o.ebits))
		}
		if o.sym2 >= 0 {
			w.bits(pc[o.sym2], uint(pl[o.sym2]))
		}
	}
	copy(prev, lens)
}

// e8Encode applies the encoder's E8 translation to a frame at offset cur.
func e8Encode(b []byte, cur, size int32) {
	le := binary.LittleEndian
	for i := 0; i < len(b)-10; {
		if b[i] != 0xE8 {
			i++
			cur++
			continue
		}
		rel := int32(le.Uint32(b[i+1:]))
		if rel >= -cur && rel < size {
			abs := rel - size
			if rel < size-cur {
				abs = rel + cur
			}
			le.PutUint32(b[i+1:], uint32(abs))
		}
		i += 5
		cur += 5
	}
}

// lzxEncode compresses data into CAB frames.
func lzxEncode(data []byte, o lzxEncOpts) (frames [][]byte, sizes []int) {
	if len(data) == 0 {
		return nil, nil
	}
	pre := append([]byte(nil), data...)
	if o.e8 != 0 {
		for f := 0; f*lzxFrame < len(pre); f++ {
			fr := pre[f*lzxFrame : min(len(pre), (f+1)*lzxFrame)]
			if len(fr) > 10 {
				e8Encode(fr, int32(f*lzxFrame), o.e8)
			}
		}
	}
	slots := lzxSlots[o.window]
	maxOff := int(lzxBase[slots]) - 3
	if len(o.types) == 0 {
		o.types = []int{lzxVerbatim}
	}
	if o.blockSize == 0 {
		o.blockSize = 1 << 20
	}
	w := &bitWriter{}
	var cur []byte // the frame's bytes so far (raw parts appended directly)
	frameEnd := lzxFrame
	flush := func() {
		w.align()
		cur = append(cur, w.out...)
		w.out = nil
		frames = append(frames, cur)
		cur = nil
	}
	// emit moves w's words into the frame (only when aligned).
	bitsToFrame := func() {
		cur = append(cur, w.out...)
		w.out = nil
	}
	if o.e8 != 0 {
		w.bits(1, 1)
		w.bits(uint32(o.e8)>>16, 16)
		w.bits(uint32(o.e8)&0xffff, 16)
	} else {
		w.bits(0, 1)
	}
	r0, r1, r2 := uint32(1), uint32(1), uint32(1)
	prevMain := make([]uint8, lzxNumChars+8*slots)
	prevLen := make([]uint8, lzxSecondaryLens)
	head := map[uint32][]int{}
	pos := 0
	for bi := 0; pos < len(pre); bi++ {
		typ := o.types[bi%len(o.types)]
		bstart, bend := pos, min(len(pre), pos+o.blockSize)
		// Frame boundaries the header may follow are handled as bytes are
		// emitted below.
		if pos == frameEnd {
			flush()
			frameEnd += lzxFrame
		}
		w.bits(uint32(typ), 3)
		w.bits(uint32(bend-pos)>>8, 16)
		w.bits(uint32(bend-pos)&0xff, 8)
		if typ == lzxUncompressed {
			// 1 to 16 bits of padding, R0-R2, the bytes, a pad byte.
			w.bits(0, 16-w.n)
			bitsToFrame()
			for _, r := range []uint32{r0, r1, r2} {
				cur = binary.LittleEndian.AppendUint32(cur, r)
			}
			for pos < bend {
				if pos == frameEnd {
					frames = append(frames, cur)
					cur = nil
					frameEnd += lzxFrame
				}
				k := min(bend, frameEnd) - pos
				cur = append(cur, pre[pos:pos+k]...)
				pos += k
			}
			if (bend-bstart)&1 == 1 {
				cur = append(cur, 0)
			}
			continue
		}
		// Tokens of the block, never across its end or a frame's.
		var toks []lzxToken
		tr0, tr1, tr2 := r0, r1, r2
		for p := pos; p < bend; {
			limit := min(bend, (p/lzxFrame+1)*lzxFrame) - p
			best, bestOff := 0, 0
			if !o.noMatches && limit >= 2 {
				try := func(off int) {
					if off <= 0 || off > p || off > maxOff {
						return
					}
					l := 0
					for l < limit && l < 257 && pre[p+l] == pre[p+l-off] {
						l++
					}
					if l >= 2 && l > best {
						best, bestOff = l, off
					}
				}
				for _, r := range []uint32{tr0, tr1, tr2} {
					try(int(r))
				}
				if p+3 <= len(pre) {
					k := uint32(pre[p]) | uint32(pre[p+1])<<8 | uint32(pre[p+2])<<16
					cands := head[k]
					for i := len(cands) - 1; i >= 0 && i >= len(cands)-16; i-- {
						try(p - cands[i])
					}
				}
			}
			if best >= 3 || (best == 2 && (uint32(bestOff) == tr0 || uint32(bestOff) == tr1 || uint32(bestOff) == tr2)) {
				off := uint32(bestOff)
				toks = append(toks, lzxToken{length: best, off: off})
				switch off {
				case tr0:
				case tr1:
					tr1, tr0 = tr0, tr1
				case tr2:
					tr2, tr0 = tr0, tr2
				default:
					tr2, tr1, tr0 = tr1, tr0, off
				}
				for k := 0; k < best; k++ {
					if p+k+3 <= len(pre) {
						h := uint32(pre[p+k]) | uint32(pre[p+k+1])<<8 | uint32(pre[p+k+2])<<16
						head[h] = append(head[h], p+k)
					}
				}
				p += best
				continue
			}
			toks = append(toks, lzxToken{lit: pre[p]})
			if p+3 <= len(pre) {
				h := uint32(pre[p]) | uint32(pre[p+1])<<8 | uint32(pre[p+2])<<16
				head[h] = append(head[h], p)
			}
			p++
		}
		// Symbols.
		type sym struct {
			main, length, aligned int
			vbits                 uint32
			vn                    uint
		}
		syms := make([]sym, len(toks))
		mainF := make([]int, len(prevMain))
		lenF := make([]int, lzxSecondaryLens)
		alF := make([]int, lzxAlignedSyms)
		for i, t := range toks {
			s := sym{length: -1, aligned: -1}
			if t.length == 0 {
				s.main = int(t.lit)
			} else {
				var slot int
				var v uint32
				switch t.off {
				case r0:
					slot = 0
				case r1:
					slot = 1
					r1, r0 = r0, r1
				case r2:
					slot = 2
					r2, r0 = r0, r2
				default:
					for slot = 3; lzxBase[slot+1] <= t.off+2; slot++ {
					}
					v = t.off + 2 - lzxBase[slot]
					extra := uint(lzxExtra[slot])
					if typ == lzxAligned && extra >= 3 {
						s.vbits, s.vn = v>>3, extra-3
						s.aligned = int(v & 7)
						alF[s.aligned]++
					} else {
						s.vbits, s.vn = v, extra
					}
					r2, r1, r0 = r1, r0, t.off
				}
				lh := min(t.length-2, 7)
				s.main = lzxNumChars + slot<<3 | lh
				if lh == 7 {
					s.length = t.length - 2 - 7
					lenF[s.length]++
				}
			}
			mainF[s.main]++
			syms[i] = s
		}
		mainF[0xE8]++
		complete(mainF)
		n := 0
		for _, f := range lenF {
			if f > 0 {
				n++
			}
		}
		if n == 1 {
			complete(lenF)
		}
		for i := range alF {
			alF[i]++
		}
		mainL, lenL, alL := huffLens(mainF, 16), huffLens(lenF, 16), huffLens(alF, 7)
		mainC, lenC, alC := codes(mainL), codes(lenL), codes(alL)
		if typ == lzxAligned {
			for _, l := range alL {
				w.bits(uint32(l), 3)
			}
		}
		writeLens(w, prevMain[:lzxNumChars], mainL[:lzxNumChars])
		writeLens(w, prevMain[lzxNumChars:], mainL[lzxNumChars:])
		writeLens(w, prevLen, lenL)
		for i, t := range toks {
			if pos == frameEnd {
				flush()
				frameEnd += lzxFrame
			}
			s := syms[i]
			w.bits(mainC[s.main], uint(mainL[s.main]))
			if s.length >= 0 {
				w.bits(lenC[s.length], uint(lenL[s.length]))
			}
			if s.vn > 0 {
				w.bits(s.vbits, s.vn)
			}
			if s.aligned >= 0 {
				w.bits(alC[s.aligned], uint(alL[s.aligned]))
			}
			pos += max(t.length, 1)
		}
	}
	flush()
	for i := range frames {
		sizes = append(sizes, min(lzxFrame, len(data)-i*lzxFrame))
	}
	return frames, sizes
}

// lzxCab returns a cabinet of files in one LZX folder the test's encoder
// compressed.
func lzxCab(files []BuildFile, o lzxEncOpts) []byte {
	return Build(files, BuildOptions{Method: MethodLZX, LZXWindow: o.window, Encode: func(all []byte) ([][]byte, []int) { return lzxEncode(all, o) }})
}

// lzxSample is x86-like code with calls, text, runs and random bytes.
func lzxSample(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b []byte
	for len(b) < n {
		switch rng.IntN(5) {
		case 0:
			b = append(b, 0xE8)
			b = binary.LittleEndian.AppendUint32(b, uint32(rng.IntN(1<<16)-1<<15))
		case 1:
			b = append(b, "GetProcAddress LoadLibraryW kernel32.dll "...)
		case 2:
			b = append(b, make([]byte, rng.IntN(300))...)
		case 3:
			if len(b) > 1000 {
				o := rng.IntN(len(b) - 500)
				b = append(b, b[o:o+rng.IntN(400)]...)
			}
		default:
			for k := rng.IntN(64); k > 0; k-- {
				b = append(b, byte(rng.Uint32()))
			}
		}
	}
	return b[:n]
}

func lzxConfigs() map[string]lzxEncOpts {
	return map[string]lzxEncOpts{
		"verbatim w15":                {window: 15, types: []int{lzxVerbatim}},
		"aligned w16 e8":              {window: 16, e8: 12 << 20, types: []int{lzxAligned}},
		"uncompressed w17":            {window: 17, types: []int{lzxUncompressed}, blockSize: 40001},
		"mixed small blocks w21 e8":   {window: 21, e8: 1 << 20, types: []int{lzxVerbatim, lzxUncompressed, lzxAligned}, blockSize: 9999},
		"mixed literals w18":          {window: 18, types: []int{lzxAligned, lzxVerbatim, lzxUncompressed}, blockSize: 70000, noMatches: true},
		"odd uncompressed frames w19": {window: 19, types: []int{lzxUncompressed, lzxVerbatim}, blockSize: 32767},
		"w20 one block":               {window: 20, e8: 300000, types: []int{lzxVerbatim}},
	}
}

// TestLZXRoundTrip reads cabinets the test's encoder wrote with each block
// type, window size and E8 translation: the files come back.
func TestLZXRoundTrip(t *testing.T) {
	t.Parallel()
	for name, o := range lzxConfigs() {
		for _, n := range []int{0, 1, 11, 32768, 32769, 100000, 300001} {
			data := lzxSample(n, uint64(n))
			files := []BuildFile{{Name: "a.dll", Data: data[:n/3]}, {Name: `dir\b.exe`, Data: data[n/3:]}}
			c := open(t, lzxCab(files, o))
			if len(c.Problems()) != 0 {
				t.Fatalf("%s %d: %v", name, n, c.Problems())
			}
			got := map[string][]byte{}
			err := c.Walk(func(f *File, r io.Reader) error {
				b, err := io.ReadAll(r)
				got[f.Name] = b
				return err
			})
			if err != nil {
				t.Fatalf("%s %d: %v", name, n, err)
			}
			if !bytes.Equal(got["a.dll"], files[0].Data) || !bytes.Equal(got["dir/b.exe"], files[1].Data) {
				t.Errorf("%s %d: files differ", name, n)
			}
		}
	}
}

// TestLZXSevenZip cross-checks the test's encoder, and so the decoder,
// with 7-Zip, which extracts LZX cabinets.
func TestLZXSevenZip(t *testing.T) {
	t.Parallel()
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the LZX cross-check was skipped")
	}
	dir := t.TempDir()
	for name, o := range lzxConfigs() {
		data := lzxSample(200001, 3)
		files := []BuildFile{{Name: "a.dll", Data: data[:70000]}, {Name: "b.exe", Data: data[70000:]}}
		f := filepath.Join(dir, "t.cab")
		os.WriteFile(f, lzxCab(files, o), 0o644)
		out := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if b, err := exec.Command(sz, "x", "-y", "-o"+out, f).CombinedOutput(); err != nil {
			t.Errorf("%s: 7z x: %v\n%s", name, err, b)
			continue
		}
		for _, fl := range files {
			if b, err := os.ReadFile(filepath.Join(out, fl.Name)); err != nil || !bytes.Equal(b, fl.Data) {
				t.Errorf("%s: 7-Zip extracts %s as %d bytes (%v), want %d", name, fl.Name, len(b), err, len(fl.Data))
			}
		}
	}
}

// lzxFrameOf returns one verbatim frame: the E8 header bit (off), a block
// of n bytes whose main tree gives 'A' and a match of slot 0 (R0, length
// 2) one bit each, then the symbols (1: the match).
func lzxFrameOf(n int, syms ...int) []byte {
	w := &bitWriter{}
	w.bits(0, 1)
	w.bits(lzxVerbatim, 3)
	w.bits(uint32(n)>>8, 16)
	w.bits(uint32(n)&0xff, 8)
	slots := lzxSlots[15]
	lens := make([]uint8, lzxNumChars+8*slots)
	lens['A'], lens[lzxNumChars] = 1, 1
	prev := make([]uint8, len(lens))
	writeLens(w, prev[:lzxNumChars], lens[:lzxNumChars])
	writeLens(w, prev[lzxNumChars:], lens[lzxNumChars:])
	writeLens(w, make([]uint8, lzxSecondaryLens), make([]uint8, lzxSecondaryLens))
	for _, s := range syms {
		w.bits(uint32(s), 1)
	}
	w.align()
	return w.out
}

// decodeFrames decodes frames with a window of 2^15 bytes.
func decodeFrames(frames [][]byte, sizes []int) ([]byte, error) {
	z, err := newLZX(15, int64(len(frames))*lzxFrame)
	if err != nil {
		return nil, err
	}
	var out []byte
	for i, f := range frames {
		b, err := z.decodeFrame(f, sizes[i])
		if err != nil {
			return out, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// TestLZXCrafted decodes frames written bit by bit: a literal then a
// repeated-offset match is "AAA"; the same match first reaches before the
// stream's start; trailing bytes, a cut frame, an undefined block type, a
// frame that ends inside a match, and over-subscribed code lengths are
// errors.
func TestLZXCrafted(t *testing.T) {
	t.Parallel()
	if out, err := decodeFrames([][]byte{lzxFrameOf(3, 0, 1)}, []int{3}); err != nil || string(out) != "AAA" {
		t.Errorf("literal, match: %q %v", out, err)
	}
	good := lzxFrameOf(3, 0, 1)
	badType := append([]byte(nil), good...)
	badType[1] &^= 0x70 // block type 0: bits 1-3 of the first word, whose high byte is second
	overSub := func() []byte {
		w := &bitWriter{}
		w.bits(0, 1)
		w.bits(lzxAligned, 3)
		w.bits(0, 16)
		w.bits(3, 8)
		for i := 0; i < 8; i++ {
			w.bits(1, 3) // eight codes of one bit
		}
		w.align()
		return w.out
	}()
	for name, c := range map[string]struct {
		frame []byte
		n     int
		want  string
	}{
		"match before the start": {lzxFrameOf(3, 1, 0), 3, "reaches 1 bytes back"},
		"trailing bytes":         {append(append([]byte(nil), good...), 0, 0), 3, "unread"},
		"cut":                    {good[:len(good)-2], 3, "runs past"},
		"block type 0":           {badType, 3, "block type 0"},
		"frame ends in a match":  {lzxFrameOf(3, 0, 0, 1), 3, "runs past its block or frame"},
		"over-subscribed":        {overSub, 3, "over-subscribed"},
	} {
		_, err := decodeFrames([][]byte{c.frame}, []int{c.n})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// TestLZXFrameSizes: every data block of an LZX folder but the last holds
// 32 KiB; a shorter one is malformed, not decoded on a wrong frame grid.
func TestLZXFrameSizes(t *testing.T) {
	t.Parallel()
	data := lzxSample(70000, 9)
	b := Build([]BuildFile{{Name: "a", Data: data}}, BuildOptions{Method: MethodLZX, LZXWindow: 16, Encode: func(all []byte) ([][]byte, []int) {
		frames, sizes := lzxEncode(all, lzxEncOpts{window: 16})
		sizes[0]--
		return frames, sizes
	}})
	err := open(t, b).Walk(func(f *File, r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	if err == nil || !strings.Contains(err.Error(), "all but the last hold 32768") {
		t.Errorf("got %v", err)
	}
}

// TestLZXWindowBounded: a folder's decoder allocates no more window than
// its blocks can fill.
func TestLZXWindowBounded(t *testing.T) {
	t.Parallel()
	z, err := newLZX(21, 1)
	if err != nil || len(z.window) != lzxFrame {
		t.Errorf("window of %d bytes, %v", len(z.window), err)
	}
	if z, _ := newLZX(16, 1<<30); len(z.window) != 1<<16 {
		t.Errorf("window of %d bytes", len(z.window))
	}
}

// TestE8Translate pins the E8 translation: an absolute target in the file
// becomes relative to the instruction; one out of range, and the frame's
// last 10 bytes, are left alone.
func TestE8Translate(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	b := make([]byte, 32)
	b[0] = 0xE8
	le.PutUint32(b[1:], 40000) // >= size: left alone
	b[5] = 0xE8
	le.PutUint32(b[6:], uint32(0xFFFFFFFF)) // -1: -1+size
	b[10] = 0xE8
	le.PutUint32(b[11:], 5000) // >= size: left alone
	b[22] = 0xE8               // in the last 10 bytes
	le.PutUint32(b[23:], 100)
	e8Translate(b, 32768, 5000)
	if g := le.Uint32(b[1:]); g != 40000 {
		t.Errorf("past the size: %d", g)
	}
	if g := int32(le.Uint32(b[6:])); g != 4999 {
		t.Errorf("negative: %d", g)
	}
	if g := le.Uint32(b[11:]); g != 5000 {
		t.Errorf("out of range: %d", g)
	}
	if g := le.Uint32(b[23:]); g != 100 {
		t.Errorf("last bytes: %d", g)
	}
	c := make([]byte, 16)
	c[0] = 0xE8
	le.PutUint32(c[1:], 40000)
	e8Translate(c, 32768, 1<<20)
	if g := le.Uint32(c[1:]); g != 40000-32768 {
		t.Errorf("in range: %d", g)
	}
}

// FuzzLZX decodes the fuzzer's bytes as up to three frames (split at
// positions it chooses) with each window size: never a panic, never more
// than the frames hold.
func FuzzLZX(f *testing.F) {
	for _, o := range lzxConfigs() {
		frames, _ := lzxEncode(lzxSample(3000, 5), o)
		f.Add(frames[0], uint8(o.window-15), uint16(0), uint16(3000))
	}
	f.Add(lzxFrameOf(3, 0, 1), uint8(0), uint16(0), uint16(3))
	f.Fuzz(func(t *testing.T, b []byte, w uint8, cut uint16, last uint16) {
		z, err := newLZX(15+int(w%7), 3*lzxFrame)
		if err != nil {
			t.Fatal(err)
		}
		c := min(int(cut), len(b))
		parts := [][]byte{b[:c], b[c:]}
		for i, p := range parts {
			n := lzxFrame
			if i == len(parts)-1 {
				n = int(last)%lzxFrame + 1
			}
			out, err := z.decodeFrame(p, n)
			if err != nil {
				return
			}
			if len(out) != n {
				t.Fatalf("frame of %d bytes decoded to %d", n, len(out))
			}
		}
	})
}

// FuzzLZXRoundTrip encodes the fuzzer's bytes with each configuration;
// the decoder gives them back.
func FuzzLZXRoundTrip(f *testing.F) {
	f.Add(lzxSample(5000, 1), uint8(0))
	f.Add([]byte{0xE8, 0, 0, 0, 0, 0xE8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3}, uint8(1))
	names := []string{}
	for n := range lzxConfigs() {
		names = append(names, n)
	}
	slices.Sort(names)
	f.Fuzz(func(t *testing.T, b []byte, k uint8) {
		o := lzxConfigs()[names[int(k)%len(names)]]
		if len(b) == 0 {
			return
		}
		frames, sizes := lzxEncode(b, o)
		z, err := newLZX(o.window, int64(len(frames))*lzxFrame)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for i, fr := range frames {
			d, err := z.decodeFrame(fr, sizes[i])
			if err != nil {
				t.Fatalf("frame %d: %v", i, err)
			}
			out = append(out, d...)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip differs")
		}
	})
}

// TestBuildLZXStored reads the LZX cabinets Build writes (uncompressed
// blocks, one a frame), and 7-Zip, when installed, agrees.
func TestBuildLZXStored(t *testing.T) {
	t.Parallel()
	data := lzxSample(100001, 4)
	files := []BuildFile{{Name: "a.dll", Data: data[:33333]}, {Name: "b.exe", Data: data[33333:]}}
	b := Build(files, BuildOptions{Method: MethodLZX, LZXWindow: 15})
	c := open(t, b)
	got := map[string][]byte{}
	if err := c.Walk(func(f *File, r io.Reader) error {
		d, err := io.ReadAll(r)
		got[f.Name] = d
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !bytes.Equal(got[f.Name], f.Data) {
			t.Errorf("%s differs", f.Name)
		}
	}
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the LZX cross-check was skipped")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "t.cab"), b, 0o644)
	if out, err := exec.Command(sz, "x", "-y", "-o"+filepath.Join(dir, "x"), filepath.Join(dir, "t.cab")).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	for _, f := range files {
		if d, err := os.ReadFile(filepath.Join(dir, "x", f.Name)); err != nil || !bytes.Equal(d, f.Data) {
			t.Errorf("7-Zip extracts %s as %d bytes (%v)", f.Name, len(d), err)
		}
	}
}
