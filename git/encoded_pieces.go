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

// piecesIn looks for runs of pieces in s, a run of base64 and glue bytes.
func piecesIn(s []byte) string {
	var buf [(minMagicBytes + 2) / 3 * 4]byte
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
			if r := piecesVerdict(buf[:n], pieces); r != "" {
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
			if r := piecesVerdict(buf[:n], pieces); r != "" {
				return r
			}
			n, pieces = 0, 0
			i = j
			continue
		}
		n += copy(buf[n:], s[i+1:j])
		pieces++
		i = j + 1
	}
	return piecesVerdict(buf[:n], pieces)
}

// piecesVerdict decodes the first characters of a reassembled run.
func piecesVerdict(b64 []byte, pieces int) string {
	if pieces < minPieces || len(b64) < 8 {
		return ""
	}
	var raw [(minMagicBytes + 2) / 3 * 3]byte
	src := make([]byte, 0, len(b64))
	for _, c := range b64 {
		switch c {
		case '-':
			c = '+'
		case '_':
			c = '/'
		case '=':
			continue
		}
		src = append(src, c)
	}
	src = src[:len(src)/4*4]
	m, err := base64.StdEncoding.Decode(raw[:], src)
	if err != nil && m == 0 {
		return ""
	}
	if name := binaryMagic(raw[:m]); name != "" {
		return fmt.Sprintf("base64-encoded %s split into %d or more short string literals", name, pieces)
	}
	return ""
}
