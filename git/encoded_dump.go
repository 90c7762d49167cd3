package git

import "fmt"

// Hex dumps: xxd (`00000000: 4d5a 9000 ...  MZ..`), `hexdump -C`
// (`00000000  4d 5a 90 00 ...  |MZ..|`) and `od -x`/`od -t x1` print binary
// as columns of short hex groups, too short for wrappedRun's tokens. A dump
// is a run of lines whose hex columns (groups of 2 or 4 hex digits; the 6- to
// 8-digit offsets and the ASCII column are not groups) decode to an
// executable or archive header, or to minTextEntropyN bytes or more with
// entropy at least escapedEntropy.

// Bounds of a hex dump: the shortest hex column that counts (four groups of
// two and their spaces), and the most bytes between two columns (an ASCII
// column, a line break and the next offset).
const (
	minDumpColumn = 40
	maxDumpGap    = 48
)

// hexDumpReason returns why b holds a hex dump of binary, or "".
func hexDumpReason(b []byte) string {
	var d dumpRun
	prev, reason := 0, ""
	longRuns(b, clDumpRun, minDumpColumn, func(lo, hi int) bool {
		gap := lo - prev
		prev = hi
		if d.gap+gap > maxDumpGap {
			if reason = d.verdict(); reason != "" {
				return true
			}
			d.reset()
		}
		if !d.column(b[lo:hi]) {
			d.gap += gap + hi - lo
			return false
		}
		d.gap = 0
		return false
	})
	if reason == "" {
		reason = d.verdict()
	}
	return reason
}

// dumpRun is a run of hex dump lines: the first bytes, in both byte orders
// of 2-byte groups (od -x prints little-endian words), and byte counts.
type dumpRun struct {
	head, swapped []byte
	counts        byteCounts
	total, gap    int
}

func (d *dumpRun) reset() {
	d.head, d.swapped = d.head[:0], d.swapped[:0]
	d.counts.clear()
	d.total, d.gap = 0, 0
}

// column adds the hex groups of col, a run of hex digits and blanks, and
// reports whether it was a dump column: four groups or more, all of 2 or 4
// digits, except a leading offset of 6 to 8 and what follows four groups
// (an ASCII column).
func (d *dumpRun) column(col []byte) bool {
	groups, first := 0, true
	for i := 0; i < len(col); {
		if col[i] == ' ' || col[i] == '\t' {
			i++
			continue
		}
		j := i
		for j < len(col) && isHexByte(col[j]) {
			j++
		}
		n := j - i
		switch {
		case first && n >= 6 && n <= 8:
		case n == 2 || n == 4:
			groups++
		case groups >= 4:
			// The ASCII column, when it starts with hex letters.
			col = col[:i]
		default:
			return false
		}
		first = false
		i = j
	}
	if groups < 4 {
		return false
	}
	for i := 0; i < len(col); {
		if !isHexByte(col[i]) {
			i++
			continue
		}
		j := i
		for j < len(col) && isHexByte(col[j]) {
			j++
		}
		if n := j - i; n == 2 || n == 4 {
			for k := i; k < j; k += 2 {
				d.add(hexVal(col[k])<<4|hexVal(col[k+1]), n == 4, k == i)
			}
		}
		i = j
	}
	return true
}

// add adds one decoded byte; word and low tell whether it is of a 2-byte
// group and its first byte.
func (d *dumpRun) add(c byte, word, low bool) {
	d.counts.add(c)
	d.total++
	if len(d.head) < minMagicBytes {
		d.head = append(d.head, c)
		d.swapped = append(d.swapped, c)
		if n := len(d.swapped); word && !low {
			d.swapped[n-2], d.swapped[n-1] = d.swapped[n-1], d.swapped[n-2]
		}
	}
}

// verdict returns why the run is a dump of binary, or "".
func (d *dumpRun) verdict() string {
	if d.total == 0 {
		return ""
	}
	for _, h := range [][]byte{d.head, d.swapped} {
		if m := binaryMagic(h); m != "" {
			return fmt.Sprintf("hex dump of a %s (%d bytes in xxd, hexdump or od columns)", m, d.total)
		}
	}
	if d.total >= minTextEntropyN && countsEntropy(&d.counts.n, d.total) >= escapedEntropy {
		return fmt.Sprintf("hex dump of encoded data (%d bytes in xxd, hexdump or od columns with entropy at least %.1f bits/byte)", d.total, escapedEntropy)
	}
	return ""
}
