package git

import (
	"encoding/base64"
	"fmt"
)

// Base64 split into quoted pieces shorter than minSegment — an array of
// short strings (["TVqQ","AAMA",...]) or a "+" chain of them — is gap to
// wrappedRun. A run of such literals, joined only by glue and "+", is
// reassembled and decoded; it counts when the decoded bytes start with an
// executable or archive header. Short strings of i18n tables, id lists and
// hashes decode to no such header.

// Bounds of a run of pieces: the shortest stretch of literal-and-glue bytes
// looked at, and the fewest pieces.
const (
	minPieceRun = 96
	minPieces   = 4
)

// base64PiecesReason returns why b holds base64 split into short quoted
// pieces, or "".
func base64PiecesReason(b []byte) string {
	reason := ""
	longRuns(b, clPieceRun, minPieceRun, func(lo, hi int) bool {
		reason = piecesIn(b[lo:hi])
		return reason != ""
	})
	return reason
}

// piecesB64 is how many characters of a run of pieces are decoded from
// each of its first maxDecoys+1 pieces on.
const piecesB64 = (minMagicBytes + 2) / 3 * 4

// maxDecoys is how many leading pieces may be decoys that put the payload
// off its base64 alignment: the run is decoded from each of its first
// maxDecoys+1 pieces on.
const maxDecoys = 2

// piecesIn looks for runs of pieces in s, a run of base64 and glue bytes.
func piecesIn(s []byte) string {
	var buf [piecesB64 * (maxDecoys + 1)]byte
	var starts [maxDecoys + 1]int
	n, pieces := 0, 0
	i := 0
	for i < len(s) {
		q := s[i]
		if q != '"' && q != '\'' && q != '`' {
			if q == '+' || isGlue(q) {
				i++
				continue
			}
			// A bare word ends the run.
			if r := piecesVerdict(buf[:n], starts[:min(pieces, len(starts))], pieces); r != "" {
				return r
			}
			n, pieces = 0, 0
			for i < len(s) && !isGlue(s[i]) {
				i++
			}
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != q && isBase64Byte(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != q {
			if r := piecesVerdict(buf[:n], starts[:min(pieces, len(starts))], pieces); r != "" {
				return r
			}
			n, pieces = 0, 0
			i = j
			continue
		}
		if pieces < len(starts) {
			starts[pieces] = n
		}
		n += copy(buf[n:], s[i+1:j])
		pieces++
		i = j + 1
	}
	return piecesVerdict(buf[:n], starts[:min(pieces, len(starts))], pieces)
}

// piecesVerdict decodes the first characters of a reassembled run, from
// each of starts on.
func piecesVerdict(b64 []byte, starts []int, pieces int) string {
	if pieces < minPieces {
		return ""
	}
	for _, st := range starts {
		if name := piecesMagic(b64[st:min(len(b64), st+piecesB64)]); name != "" {
			return fmt.Sprintf("base64-encoded %s split into %d or more short string literals", name, pieces)
		}
	}
	return ""
}

// piecesMagic decodes b64 (std or URL alphabet, padding dropped) and names
// the executable or archive format it starts with, or "".
func piecesMagic(b64 []byte) string {
	var src [piecesB64]byte
	n := 0
	for _, c := range b64 {
		switch c {
		case '-':
			c = '+'
		case '_':
			c = '/'
		case '=':
			continue
		}
		src[n] = c
		n++
	}
	if n < 8 {
		return ""
	}
	var raw [piecesB64 / 4 * 3]byte
	m, err := base64.StdEncoding.Decode(raw[:], src[:n/4*4])
	if err != nil && m == 0 {
		return ""
	}
	return binaryMagic(raw[:m])
}
