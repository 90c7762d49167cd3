package git

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Encoded payloads that stay valid text: binary spelled in base64 or hex and
// wrapped into short lines or split across string literals, spelled as
// escape sequences (\xNN, \uXXXX, octal) or as a numeric array literal, or
// mapped one byte or more per rune onto printable Unicode (base32768 and the
// like). Each detector looks for a run of tokens of one encoding joined only
// by what wraps a literal (whitespace, quotes, commas, a "+" between
// literals, a backslash at the end of a line): ordinary source breaks such a
// run at every operator, bracket or short identifier, so only the run's own
// statistics decide, and only once it is minTextEntropyN tokens long.

// minSegment is the shortest base64 or hex token that joins a wrapped run,
// and maxGap the most bytes of anything else (shorter tokens included)
// between two of its tokens.
const (
	minSegment = 12
	maxGap     = 32
)

// wrappedB64Entropy is the least entropy, in bits per character, of a
// wrapped base64 run that counts as encoded data: random base64 is 6; a run
// of long words or identifiers, letters only, stays under 5.
const wrappedB64Entropy = 5.2

// escapedEntropy is the least entropy, in bits per decoded byte, of a run
// of escapes or array numbers that counts as encoded data: compressed or
// encrypted bytes are near 8 and machine code near 6, while lookup tables
// (zeros, small indexes, flags) stay under it.
const escapedEntropy = 6.0

// Uniform Unicode: a run of non-ASCII text counts as encoded data when its
// runes are spread evenly over at least minUniformRunes distinct ones (the
// entropy is at least uniformRatio of that of a uniform spread): an
// encoding's alphabet is used evenly, where prose in any script repeats its
// common characters (Chinese 的 alone is about 4% of a text).
// The runes are judged uniformChunk at a time: a 15-bit encoding such as
// base32768 carries 3.75 KiB in one chunk.
const (
	minRuneSegment  = 8
	minUniformRunes = 128
	uniformRatio    = 0.95
	uniformChunk    = 2048
)

// encodedReason returns why b holds an encoded payload, or "".
func encodedReason(b []byte) string {
	if n, hex := wrappedRun(b); n > 0 {
		what := "base64"
		if hex {
			what = "hex"
		}
		return fmt.Sprintf("%s-encoded data (a run of %d %s characters wrapped into short lines or split across literals)", what, n, what)
	}
	if n := escapedRun(b); n > 0 {
		return fmt.Sprintf("encoded data (a run of %d escape sequences or array numbers with entropy at least %.1f bits/byte)", n, escapedEntropy)
	}
	if r := hexDumpReason(b); r != "" {
		return r
	}
	if r := base64PiecesReason(b); r != "" {
		return r
	}
	if n := uniformRuneRun(b); n > 0 {
		return fmt.Sprintf("encoded data (%d non-ASCII characters spread evenly over %d or more distinct ones: binary mapped onto Unicode)", n, minUniformRunes)
	}
	return ""
}

// Byte classes of the encoded-run scanners.
const (
	clBase64 = 1 << iota
	clHex
	clGlue
	clDigit
	clWord
	clEscRun
	clNonASCII
	clDumpRun
	clPieceRun
)

// byteClass holds the classes of each byte.
var byteClass = func() (t [256]uint16) {
	for c := range 256 {
		b := byte(c)
		alnum := 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
		if alnum || b == '+' || b == '/' || b == '=' || b == '-' || b == '_' {
			t[c] |= clBase64
		}
		if '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' {
			t[c] |= clHex
		}
		switch b {
		case ' ', '\t', '\r', '\n', '"', '\'', '`', ',', '\\':
			// Line wrapping, string quotes, separators of literals in a
			// list.
			t[c] |= clGlue
		}
		if '0' <= b && b <= '9' {
			t[c] |= clDigit
		}
		if alnum || b == '_' {
			t[c] |= clWord
		}
		// What escapes, numbers and their glue are spelled with.
		if t[c]&(clHex|clGlue) != 0 || strings.IndexByte(`+-\xXuUlL{}`, b) >= 0 {
			t[c] |= clEscRun
		}
		if b >= utf8.RuneSelf {
			t[c] |= clNonASCII
		}
		// What a hex dump's hex columns are spelled with.
		if t[c]&clHex != 0 || b == ' ' || b == '\t' {
			t[c] |= clDumpRun
		}
		// What a list of quoted base64 pieces is spelled with.
		if t[c]&(clBase64|clGlue) != 0 {
			t[c] |= clPieceRun
		}
	}
	return t
}()

func isBase64Byte(c byte) bool { return byteClass[c]&clBase64 != 0 }
func isHexByte(c byte) bool    { return byteClass[c]&clHex != 0 }
func isGlue(c byte) bool       { return byteClass[c]&clGlue != 0 }
func isWordByte(c byte) bool   { return byteClass[c]&clWord != 0 }

// wrappedRun finds a run of at least minTextEntropyN base64 characters in
// tokens of at least minSegment, each within maxGap bytes of the one
// before (a line break, quotes, "+", or a statement such as `p+="`
// between literals), with entropy at least wrappedB64Entropy; or such a run
// of hex-digit tokens (other tokens count as gap) with entropy at least
// hexEntropy. It returns the run's length and whether it is hex, or 0.
func wrappedRun(b []byte) (int, bool) {
	var b64, hex tokenRun
	// Bytes outside the tokens of minSegment or more, shorter tokens
	// included, are gap.
	prev, n, isHex := 0, 0, false
	longRuns(b, clBase64, minSegment, func(lo, hi int) bool {
		b64.gap += lo - prev
		hex.gap += lo - prev
		prev = hi
		seg := b[lo:hi]
		if b64.add(seg, wrappedB64Entropy) {
			n = b64.total
			return true
		}
		if !allOfClass(seg, clHex) {
			hex.gap += len(seg)
		} else if hex.add(seg, hexEntropy) {
			n, isHex = hex.total, true
			return true
		}
		return false
	})
	if n > 0 {
		return n, isHex
	}
	if b64.found(wrappedB64Entropy) {
		return b64.total, false
	}
	if hex.found(hexEntropy) {
		return hex.total, true
	}
	return 0, false
}

// allOfClass reports whether every byte of b is of class cl.
func allOfClass(b []byte, cl uint16) bool {
	for _, c := range b {
		if byteClass[c]&cl == 0 {
			return false
		}
	}
	return true
}

// longRuns calls f with the bounds of each maximal run of bytes of class cl
// at least n long, in order, until f returns true. It looks at about one
// byte in n where such runs are rare: a run of n bytes starting in
// b[p:p+n] covers b[p+n-1], so it reads b[p+n-1] and, when that byte is of
// class cl, the bytes before it back to the first that is not; each byte
// is read at most once that way.
func longRuns(b []byte, cl uint16, n int, f func(lo, hi int) bool) {
	// p follows a byte not of class cl (or is 0); b[p:known] are all of
	// class cl.
	p, known := 0, 0
	for p+n <= len(b) {
		k := p + n - 1
		for k >= known && byteClass[b[k]]&cl != 0 {
			k--
		}
		if k >= known {
			p, known = k+1, p+n
			continue
		}
		hi := p + n
		for hi < len(b) && byteClass[b[hi]]&cl != 0 {
			hi++
		}
		if f(p, hi) {
			return
		}
		p, known = hi+1, hi+1
	}
}

// byteCounts counts bytes and clears in time proportional to the distinct
// bytes counted, not 256: scanners clear them at every broken run.
type byteCounts struct {
	n       [256]int
	touched []byte
}

func (c *byteCounts) add(b byte) {
	if c.n[b] == 0 {
		c.touched = append(c.touched, b)
	}
	c.n[b]++
}

func (c *byteCounts) clear() {
	for _, b := range c.touched {
		c.n[b] = 0
	}
	c.touched = c.touched[:0]
}

// tokenRun is a run of wrappedRun: its character counts, and the bytes
// since its last token.
type tokenRun struct {
	counts     byteCounts
	total, gap int
}

// found reports whether the run is long enough and has entropy at least e.
func (r *tokenRun) found(e float64) bool {
	return r.total >= minTextEntropyN && countsEntropy(&r.counts.n, r.total) >= e
}

// add adds a token, first ending the run when the gap before the token is
// over maxGap; it reports whether the run that ended had entropy at least
// e.
func (r *tokenRun) add(seg []byte, e float64) bool {
	if r.gap > maxGap && r.total > 0 {
		if r.found(e) {
			return true
		}
		r.counts.clear()
		r.total = 0
	}
	for _, c := range seg {
		r.counts.add(c)
	}
	r.total += len(seg)
	r.gap = 0
	return false
}

// escapedRun finds a run of escape sequences
// (\xNN, \uXXXX, \u{…}, \UXXXXXXXX, octal \NNN) or integer literals (decimal
// or 0x hex, optionally negative, with C suffixes) joined by glue or "+",
// decoding to at least minTextEntropyN bytes (a value over 255 counts as its
// little-endian bytes) with entropy at least escapedEntropy. It returns the
// run's token count, or 0.
func escapedRun(b []byte) int {
	// A token decodes to no more bytes than it is long, and a run ends at
	// any byte no token or glue is spelled with: only runs of such bytes
	// minTextEntropyN long or more can hold one.
	n := 0
	longRuns(b, clEscRun, minTextEntropyN, func(lo, hi int) bool {
		n = escapedRunIn(b, lo, hi)
		return n > 0
	})
	return n
}

// escapedRunIn is escapedRun within b[lo:hi], which follows and precedes a
// byte that ends any run (or an end of b).
func escapedRunIn(b []byte, lo, hi int) int {
	var counts byteCounts
	tokens, nbytes := 0, 0
	found := func() bool {
		return nbytes >= minTextEntropyN && countsEntropy(&counts.n, nbytes) >= escapedEntropy
	}
	reset := func() {
		if tokens > 0 {
			counts.clear()
			tokens, nbytes = 0, 0
		}
	}
	add := func(v uint64) {
		tokens++
		for {
			counts.add(byte(v))
			nbytes++
			v >>= 8
			if v == 0 {
				break
			}
		}
	}
	for i := lo; i < hi; {
		c := b[i]
		cls := byteClass[c]
		if c == '\\' || c == '-' || cls&clDigit != 0 {
			v, n := escapeToken(b[i:])
			if n == 0 {
				v, n = numberToken(b, i)
			}
			if n > 0 {
				add(v)
				i += n
				continue
			}
		}
		if cls&clGlue != 0 || c == '+' {
			i++
			continue
		}
		if tokens > 0 {
			if found() {
				return tokens
			}
			reset()
		}
		// Skip the rest of a word: digits inside it are no number.
		for i++; cls&clWord != 0 && i < len(b) && isWordByte(b[i]); i++ {
		}
	}
	if found() {
		return tokens
	}
	return 0
}

// escapeToken decodes an escape sequence at the start of b: its value and
// length, or 0 when b does not start with one. A backslash before a line
// break (a continuation) is not an escape.
func escapeToken(b []byte) (uint64, int) {
	if len(b) < 2 || b[0] != '\\' {
		return 0, 0
	}
	hexDigits := func(from, max int) (uint64, int) {
		var v uint64
		n := 0
		for from+n < len(b) && n < max && isHexByte(b[from+n]) {
			v = v<<4 | uint64(hexVal(b[from+n]))
			n++
		}
		return v, n
	}
	switch c := b[1]; {
	case c == 'x':
		if v, n := hexDigits(2, 2); n > 0 {
			return v, 2 + n
		}
	case c == 'u' && len(b) > 2 && b[2] == '{':
		if v, n := hexDigits(3, 6); n > 0 && 3+n < len(b) && b[3+n] == '}' {
			return v, 4 + n
		}
	case c == 'u':
		if v, n := hexDigits(2, 4); n == 4 {
			return v, 6
		}
	case c == 'U':
		if v, n := hexDigits(2, 8); n == 8 {
			return v, 10
		}
	case '0' <= c && c <= '7':
		var v uint64
		n := 0
		for 1+n < len(b) && n < 3 && '0' <= b[1+n] && b[1+n] <= '7' {
			v = v<<3 | uint64(b[1+n]-'0')
			n++
		}
		return v, 1 + n
	}
	return 0, 0
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// numberToken decodes an integer literal at b[i] (not inside a longer word):
// its value (a negative one as its low byte) and length, or 0.
func numberToken(b []byte, i int) (uint64, int) {
	if i > 0 && (isWordByte(b[i-1]) || b[i-1] == '.') {
		return 0, 0
	}
	j := i
	neg := false
	if j < len(b) && b[j] == '-' {
		neg = true
		j++
	}
	if j >= len(b) || b[j] < '0' || b[j] > '9' {
		return 0, 0
	}
	var v uint64
	if b[j] == '0' && j+1 < len(b) && (b[j+1] == 'x' || b[j+1] == 'X') {
		k := j + 2
		for k < len(b) && isHexByte(b[k]) && k-j < 18 {
			v = v<<4 | uint64(hexVal(b[k]))
			k++
		}
		if k == j+2 {
			return 0, 0
		}
		j = k
	} else {
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			if v < math.MaxUint64/10 {
				v = v*10 + uint64(b[j]-'0')
			}
			j++
		}
	}
	for j < len(b) && (b[j] == 'u' || b[j] == 'U' || b[j] == 'l' || b[j] == 'L') {
		j++
	}
	if j < len(b) && (isWordByte(b[j]) || b[j] == '.') {
		return 0, 0
	}
	if neg {
		v = uint64(byte(-int64(v)))
	}
	return v, j - i
}

// uniformRuneRun finds uniformChunk non-ASCII runes, in runs of at least
// minRuneSegment each within maxGap bytes of the one before, that are
// spread evenly over at least minUniformRunes distinct ones. It returns the
// count, or 0. A word list or dictionary, a few characters a line, forms no
// such run.
func uniformRuneRun(b []byte) int {
	counts := map[rune]int{}
	total := 0
	uniform := func() bool {
		if len(counts) < minUniformRunes {
			return false
		}
		var h float64
		for _, c := range counts {
			p := float64(c) / float64(total)
			h -= p * math.Log2(p)
		}
		return h >= uniformRatio*math.Log2(float64(len(counts)))
	}
	reset := func() {
		if total > 0 {
			clear(counts)
			total = 0
		}
	}
	// Bytes outside the segments of minRuneSegment runes or more are gap;
	// such a segment is at least that many bytes.
	gap, prev, found := 0, 0, 0
	longRuns(b, clNonASCII, minRuneSegment, func(lo, hi int) bool {
		gap += lo - prev
		prev = hi
		if utf8.RuneCount(b[lo:hi]) < minRuneSegment {
			gap += hi - lo
			return false
		}
		if gap > maxGap {
			reset()
		}
		gap = 0
		for i := lo; i < hi; {
			r, size := utf8.DecodeRune(b[i:])
			i += size
			counts[r]++
			total++
			if total == uniformChunk {
				if uniform() {
					found = total
					return true
				}
				reset()
			}
		}
		return false
	})
	return found
}
