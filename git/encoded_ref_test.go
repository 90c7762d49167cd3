package git

import (
	"math"
	"unicode/utf8"
)

// The scanners as they were before the prefilters (byte-by-byte, no
// skipping): TestEncodedScannersMatchReference checks the fast ones give
// the same answers.

func refWrappedRun(b []byte) (int, bool) {
	var b64, hex tokenRun
	for i := 0; i < len(b); {
		if !isBase64Byte(b[i]) {
			i++
			b64.gap++
			hex.gap++
			continue
		}
		j := i
		allHex := true
		for j < len(b) && isBase64Byte(b[j]) {
			allHex = allHex && isHexByte(b[j])
			j++
		}
		seg := b[i:j]
		i = j
		if len(seg) < minSegment {
			b64.gap += len(seg)
			hex.gap += len(seg)
			continue
		}
		if b64.add(seg, wrappedB64Entropy) {
			return b64.total, false
		}
		if !allHex {
			hex.gap += len(seg)
		} else if hex.add(seg, hexEntropy) {
			return hex.total, true
		}
	}
	if b64.found(wrappedB64Entropy) {
		return b64.total, false
	}
	if hex.found(hexEntropy) {
		return hex.total, true
	}
	return 0, false
}

func refEscapedRun(b []byte) int {
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
	for i := 0; i < len(b); {
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

func refUniformRuneRun(b []byte) int {
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
	gap := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			gap++
			i++
			continue
		}
		// A segment of non-ASCII runes.
		j, n := i, 0
		for j < len(b) && b[j] >= utf8.RuneSelf {
			_, size := utf8.DecodeRune(b[j:])
			j += size
			n++
		}
		if n < minRuneSegment {
			gap += j - i
			i = j
			continue
		}
		if gap > maxGap {
			reset()
		}
		gap = 0
		for i < j {
			r, size := utf8.DecodeRune(b[i:])
			i += size
			counts[r]++
			total++
			if total == uniformChunk {
				if uniform() {
					return total
				}
				reset()
			}
		}
	}
	return 0
}

func refDenseASCII(b []byte) bool {
	const half = minTextEntropyN / 2
	var counts [256]int
	for i := 0; i+half <= len(b); i += half {
		for _, c := range b[i : i+half] {
			counts[c]++
		}
		if i >= half {
			if countsEntropy(&counts, minTextEntropyN) >= asciiTextEntropy && counts128(&counts) == 0 {
				return true
			}
			for _, c := range b[i-half : i] {
				counts[c]--
			}
		}
	}
	return false
}
