package git

import (
	"encoding/ascii85"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
)

// payloadBytes is a compressed- or encrypted-looking payload.
func payloadBytes() []byte { return []byte(noise(6000, 21)) }

// jsConcat splits s into literals of n characters joined by "+" and line
// breaks, as a JS or Java source spells a long string.
func jsConcat(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, `"`+s[:n]+`"`)
		s = s[n:]
	}
	parts = append(parts, `"`+s+`"`)
	return "var p = " + strings.Join(parts, " +\n    ") + ";\n"
}

// encodeAscii85 encodes p as Ascii85.
func encodeAscii85(p []byte) string {
	out := make([]byte, ascii85.MaxEncodedLen(len(p)))
	return string(out[:ascii85.Encode(out, p)])
}

// appends spells s as statements appending n characters at a time.
func appends(s string, n int) string {
	var b strings.Builder
	b.WriteString("var p = '';\n")
	for len(s) > 0 {
		k := min(n, len(s))
		fmt.Fprintf(&b, "p += '%s';\n", s[:k])
		s = s[k:]
	}
	return b.String()
}

// cConcat splits s into adjacent C string literals of n characters.
func cConcat(s string, n int) string {
	var b strings.Builder
	b.WriteString("static const char p[] =\n")
	for len(s) > n {
		fmt.Fprintf(&b, "    \"%s\"\n", s[:n])
		s = s[n:]
	}
	fmt.Fprintf(&b, "    \"%s\";\n", s)
	return b.String()
}

// escapes spells p with format f per byte (or per pair of bytes when pair).
func escapes(p []byte, f string, pair bool) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if pair && i+1 < len(p) {
			fmt.Fprintf(&b, f, int(p[i])<<8|int(p[i+1]))
			i++
			continue
		}
		fmt.Fprintf(&b, f, p[i])
	}
	return b.String()
}

// numbers spells p as an array literal of format f per byte, eight a line.
func numbers(p []byte, f string) string {
	var b strings.Builder
	b.WriteString("static const unsigned char p[] = {\n")
	for i, c := range p {
		fmt.Fprintf(&b, f, c)
		b.WriteString(",")
		if i%8 == 7 {
			b.WriteString("\n")
		}
	}
	return b.String() + "};\n"
}

// runeMapped maps p onto Unicode: bits bits at a time, each to base+value,
// as base32768 (15 bits onto CJK and Hangul), base2048 or a byte-per-rune
// mapping above Latin-1 do.
func runeMapped(p []byte, bits int, base rune) string {
	var b strings.Builder
	acc, n := 0, 0
	for _, c := range p {
		acc, n = acc<<8|int(c), n+8
		for n >= bits {
			n -= bits
			b.WriteRune(base + rune(acc>>n&(1<<bits-1)))
		}
	}
	return `const s = "` + b.String() + "\";\n"
}

// TestAttackEncodedPayloadAsText: a payload spelled as valid text in ways
// the whole-window entropy and long-line tests miss passed as text: base64
// or hex wrapped into short lines, split across concatenated JS or C
// literals or appended a statement at a time, Ascii85 on short lines, runs of \xNN, octal or \uXXXX escapes, numeric array literals in
// C, JS and Java, and binary mapped onto printable Unicode.
func TestAttackEncodedPayloadAsText(t *testing.T) {
	t.Parallel()
	p := payloadBytes()
	b64 := wrap(noiseB64(8192), 8192)
	signed := make([]int8, len(p))
	for i, c := range p {
		signed[i] = int8(c)
	}
	javaBytes := strings.Trim(strings.ReplaceAll(fmt.Sprint(signed), " ", ", "), "[]")
	cases := []struct{ name, b string }{
		{"base64 wrapped at 60", wrap(b64, 60)},
		{"base64 wrapped at 76 (MIME)", wrap(b64, 76)},
		{"base64 in JS literals", jsConcat(b64, 60)},
		{"base64 in C literals", cConcat(b64, 48)},
		{"hex in C literals", cConcat(fmt.Sprintf("%x", p), 64)},
		{"Ascii85 wrapped at 80", wrap(encodeAscii85(p), 80)},
		{"base64 in 12-character literals", jsConcat(b64, 12)},
		{"base64 appended a statement a line", appends(b64, 60)},
		{"\\xNN escapes", cConcat(escapes(p, `\x%02x`, false), 64)},
		{"octal escapes", cConcat(escapes(p, `\%03o`, false), 64)},
		{"\\uXXXX escapes", jsConcat(escapes(p, `\u%04x`, true), 96)},
		{"C hex array", numbers(p, "0x%02x")},
		{"JS decimal array", "var p = [" + strings.Trim(strings.ReplaceAll(fmt.Sprint(p), " ", ","), "[]") + "];\n"},
		{"Java signed bytes", "byte[] p = new byte[] {" + javaBytes + "};\n"},
		{"base32768-like", runeMapped(p, 15, 0x4e00)},
		{"base32768-like in 8-character literals", jsConcat(strings.TrimSuffix(strings.TrimPrefix(runeMapped(p, 15, 0x4e00), `const s = "`), "\";\n"), 24)},
		{"base2048-like", runeMapped(append(p, p...), 11, 0x4e00)},
		{"byte per rune", runeMapped(p, 8, 0x100)},
	}
	for _, c := range cases {
		pad := strings.Repeat("int pad = 0; /* ordinary code */\n", 100)
		b := []byte(pad + c.b + pad)
		if !utf8.Valid(b) || isBinary(b) {
			t.Fatalf("%s: fixture is not valid text", c.name)
		}
		if k := classify(b, int64(len(b))); !k.suspicious {
			t.Errorf("%s: not suspicious", c.name)
		} else {
			t.Logf("%s: %s", c.name, k.reason)
		}
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/data.js", jsConcat(b64, 60)), parents: []plumbing.Hash{root}})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleBinaryAdded, c)
	})
}

// minifiedJS generates minified-looking JavaScript: short identifiers,
// operators, short string and number literals, no line breaks.
func minifiedJS(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed))
	// Minifiers name locals a, b, …, reusing the same few names.
	pool := strings.Fields("e t n r i o a s u l c f d h p g m v y b w x k A S E N T R C O I L P D")
	z := rand.NewZipf(r, 1.2, 1, uint64(len(pool)-1))
	id := func() string { return pool[z.Uint64()] }
	words := []string{"function", "return", "var", "this", "new", "null", "typeof", "length", "prototype", "call", "apply", "push", "undefined", "Object", "Array"}
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(8) {
		case 0:
			fmt.Fprintf(&b, "function %s(%s,%s){", id(), id(), id())
		case 1:
			fmt.Fprintf(&b, "var %s=%s.%s(%d,%s);", id(), id(), words[r.IntN(len(words))], r.IntN(1000), id())
		case 2:
			fmt.Fprintf(&b, "if(%s!==%s)return %s[%d];", id(), words[r.IntN(len(words))], id(), r.IntN(64))
		case 3:
			fmt.Fprintf(&b, "%s+=\"%s%s\"+%s;", id(), words[r.IntN(len(words))], id(), id())
		case 4:
			fmt.Fprintf(&b, "[%d,%d,%d,%d]", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
		case 5:
			fmt.Fprintf(&b, "}else{%s=%s?%s:%s}", id(), id(), id(), id())
		case 6:
			fmt.Fprintf(&b, "'\\u%04x\\u%04x'", 0x41+r.IntN(26), 0x61+r.IntN(26))
		default:
			b.WriteString("};")
		}
	}
	return b.String()
}

// cTables is C with the tables vendored libraries carry: a CRC-32 table of
// 256 words, a byte S-box, a PEM certificate.
func cTables() string {
	var b strings.Builder
	b.WriteString("static const unsigned int crc_table[256] = {\n")
	for n := range uint32(256) {
		c := n
		for range 8 {
			if c&1 != 0 {
				c = 0xedb88320 ^ c>>1
			} else {
				c >>= 1
			}
		}
		fmt.Fprintf(&b, "    0x%08xUL,\n", c)
	}
	b.WriteString("};\nstatic const unsigned char sbox[256] = {\n")
	for _, v := range rand.New(rand.NewPCG(3, 3)).Perm(256) {
		fmt.Fprintf(&b, "0x%02x, ", v)
	}
	b.WriteString("\n};\nstatic const char cert[] =\n")
	for _, l := range strings.Split(wrap(noiseB64(1800), 64), "\n") {
		fmt.Fprintf(&b, "\"%s\\n\"\n", l)
	}
	b.WriteString(";\nint f(int x) { return crc_table[x & 0xff] ^ sbox[x >> 8]; }\n")
	return b.String()
}

// zipfCJK generates n characters of Chinese-like prose: common characters
// much more often than rare ones, as any language uses them.
func zipfCJK(n int) string {
	r := rand.New(rand.NewPCG(5, 5))
	z := rand.NewZipf(r, 1.1, 1, 3000)
	var b strings.Builder
	for i := range n {
		b.WriteRune(0x4e00 + rune(z.Uint64()*7%20000))
		if i%40 == 39 {
			b.WriteString("。\n")
		}
	}
	return b.String()
}

// TestEncodedPayloadNormalText: minified JS, C with lookup tables and a
// certificate, a large regex of \u ranges, a dictionary of Chinese
// characters, and prose in Chinese and English are not encoded payloads.
func TestEncodedPayloadNormalText(t *testing.T) {
	t.Parallel()
	var ranges strings.Builder
	ranges.WriteString("var re = /[")
	for i := range 3000 {
		fmt.Fprintf(&ranges, "\\u%04X-\\u%04X", 0x100+i*7, 0x100+i*7+3)
	}
	ranges.WriteString("]/;\n")
	prose := strings.Repeat("The quick brown fox jumps over the lazy dog, again and again, without reason\n", 400)
	var dict strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&dict, "%c %c%c\n", 0x4e00+i, 0x4e00+i*3%20000, 0x4e00+i*7%20000)
	}
	for _, c := range []struct{ name, b string }{
		{"minified JS", minifiedJS(512<<10, 1)},
		{"character dictionary", dict.String()},
		{"C tables", strings.Repeat(cTables(), 4)},
		{"unicode regex", ranges.String()},
		{"Chinese prose", zipfCJK(40000)},
		{"English prose", prose},
	} {
		if k := classify([]byte(c.b), int64(len(c.b))); k.suspicious {
			t.Errorf("%s: suspicious: %s", c.name, k.reason)
		}
	}
}

// FuzzEncodedReason: the encoded-run scanners never panic, agree with
// themselves on a second run and with the byte-by-byte reference scanners.
func FuzzEncodedReason(f *testing.F) {
	p := payloadBytes()[:600]
	for _, s := range []string{
		`\x4`, `\u{12`, `\u12`, `\U0001`, `\777`, `-`, `0x`, `0x1u,`, "\"ab\"+\n\"cd\"",
		escapes(p, `\x%02x`, false), numbers(p, "0x%02x"), runeMapped(p, 15, 0x4e00), wrap(noiseB64(1000), 60),
		xxdDump(peHeader()[:256]), odX(elfHeader()[:128]), "[" + pieces(base64.StdEncoding.EncodeToString(peHeader()[:96]), 4, `"`, ",") + "]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r1, r2 := encodedReason(b), encodedReason(b); r1 != r2 {
			t.Fatalf("%q then %q", r1, r2)
		}
		n1, h1 := wrappedRun(b)
		n2, h2 := refWrappedRun(b)
		if n1 != n2 || h1 != h2 {
			t.Fatalf("wrappedRun %d,%v, reference %d,%v", n1, h1, n2, h2)
		}
		if e1, e2 := escapedRun(b), refEscapedRun(b); e1 != e2 {
			t.Fatalf("escapedRun %d, reference %d", e1, e2)
		}
		if u1, u2 := uniformRuneRun(b), refUniformRuneRun(b); u1 != u2 {
			t.Fatalf("uniformRuneRun %d, reference %d", u1, u2)
		}
		if d1, d2 := denseASCII(b), refDenseASCII(b); d1 != d2 {
			t.Fatalf("denseASCII %v, reference %v", d1, d2)
		}
	})
}

// BenchmarkClassifyMinifiedJS measures the content heuristics, the encoded
// payload scanners included, over 4 MiB of minified-looking JavaScript.
func BenchmarkClassifyMinifiedJS(b *testing.B) {
	js := []byte(minifiedJS(4<<20, 2))
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		classify(js, int64(len(js)))
	}
}
