package git

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// encodedDiffInput builds a text from pieces near the scanners'
// thresholds: minified JS, payloads spelled as escapes, numbers, wrapped
// base64 or hex, runes, and short or long runs of one alphabet broken by a
// random byte.
func encodedDiffInput(r *rand.Rand) []byte {
	p := payloadBytes()
	var b strings.Builder
	for range 1 + r.IntN(6) {
		q := p[:r.IntN(len(p))]
		switch r.IntN(12) {
		case 0:
			b.WriteString(minifiedJS(r.IntN(20000), r.Uint64()))
		case 1:
			b.WriteString(escapes(q, []string{`\x%02x`, `\%03o`, `\u%04x`}[r.IntN(3)], r.IntN(2) == 0))
		case 2:
			b.WriteString(numbers(q, []string{"0x%02x", "%d", "%d, "}[r.IntN(3)]))
		case 3:
			b.WriteString(wrap(noiseB64(r.IntN(12000)), 4+r.IntN(80)))
		case 4:
			b.WriteString(jsConcat(hexString(q), 8+r.IntN(60)))
		case 5:
			b.WriteString(runeMapped(q, 8+r.IntN(8), 0x100+rune(r.IntN(0x4e00))))
		case 6:
			b.WriteString(zipfCJK(r.IntN(8000)))
		case 7:
			b.WriteString(wrap(encodeAscii85(q), 20+r.IntN(200)))
		default:
			alpha := []string{"0123456789abcdef", "ABCxyz+/=_-019", " \t\n\"',\\+", "\\x0u{}Ul-9", "\xe4\xb8\x80\xff", "azAZ09.;(){}[]"}
			for range r.IntN(300) {
				a := alpha[r.IntN(len(alpha))]
				for range r.IntN(40) {
					b.WriteByte(a[r.IntN(len(a))])
				}
			}
		}
		if r.IntN(2) == 0 {
			b.WriteByte(byte(r.IntN(256)))
		}
	}
	return []byte(b.String())
}

// hexString spells p in lower-case hex.
func hexString(p []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(p))
	for _, c := range p {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestEncodedScannersMatchReference: the prefiltered scanners (and
// denseASCII) give the same answers as the byte-by-byte ones on generated texts and on their
// prefixes and suffixes.
func TestEncodedScannersMatchReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 13))
	n := 300
	if testing.Short() {
		n = 60
	}
	found := [4]int{}
	for k := range n {
		in := encodedDiffInput(r)
		for _, b := range [][]byte{in, in[:r.IntN(len(in)+1)], in[r.IntN(len(in)+1):]} {
			n1, h1 := wrappedRun(b)
			n2, h2 := refWrappedRun(b)
			if n1 != n2 || h1 != h2 {
				t.Fatalf("input %d: wrappedRun %d,%v, reference %d,%v", k, n1, h1, n2, h2)
			}
			if e1, e2 := escapedRun(b), refEscapedRun(b); e1 != e2 {
				t.Fatalf("input %d: escapedRun %d, reference %d", k, e1, e2)
			}
			if u1, u2 := uniformRuneRun(b), refUniformRuneRun(b); u1 != u2 {
				t.Fatalf("input %d: uniformRuneRun %d, reference %d", k, u1, u2)
			}
			if d1, d2 := denseASCII(b), refDenseASCII(b); d1 != d2 {
				t.Fatalf("input %d: denseASCII %v, reference %v", k, d1, d2)
			}
			if denseASCII(b) {
				found[3]++
			}
			found[0] += min(n1, 1)
			found[1] += min(escapedRun(b), 1)
			found[2] += min(uniformRuneRun(b), 1)
		}
	}
	t.Logf("inputs found by wrappedRun, escapedRun, uniformRuneRun, denseASCII: %v", found)
	for i, f := range found {
		if f == 0 {
			t.Errorf("scanner %d found nothing: the inputs do not exercise it", i)
		}
	}
}

// TestEntropyAtLeast: entropyAtLeast agrees with countsEntropy, at the
// threshold itself too.
func TestEntropyAtLeast(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 5))
	for k := range 2000 {
		var counts [256]int
		total := 1 + r.IntN(minTextEntropyN+100)
		distinct := 1 + r.IntN(256)
		for range total {
			counts[r.IntN(distinct)]++
		}
		h := countsEntropy(&counts, total)
		for _, e := range []float64{h, math.Nextafter(h, 0), math.Nextafter(h, 9), h - 1e-10, h + 1e-10, 3.5, 6.2} {
			if got, want := entropyAtLeast(&counts, total, e), h >= e; got != want {
				t.Fatalf("case %d: total %d, entropy %v, threshold %v: %v, want %v", k, total, h, e, got, want)
			}
		}
	}
}
