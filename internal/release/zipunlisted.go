package release

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// ZipUnlisted checks the local file headers of the zip archive of size
// bytes at r, whose central directory lists n entries with data where span
// says, that streaming extractors read: the one at its start (when it
// starts with one), any in the data before the first listed entry (see
// ZipHiddenInPrefix), and any between the listed entries, from the end of
// one entry's data to the next entry's local header, or after the last
// entry's data and before the central directory. The first must be the
// header of a listed entry; any other is an entry no
// directory lists. A zip whose local headers the directory does not list —
// another archive before the one the directory describes, entries written
// without a directory, or an entry whose directory record was removed —
// shows one set of files to extractors that stream local headers (Java's
// ZipInputStream, bsdtar reading a pipe) and another to those that read the
// directory; the finding says so (skipped is the walker's verb: "checked",
// "inventoried").
func ZipUnlisted(r io.ReaderAt, n int, span func(i int) ZipSpan, size int64, skipped string) (ZipUnlistedHeader, bool) {
	var h [30]byte
	if k, _ := r.ReadAt(h[:], 0); k == len(h) && string(h[:4]) == "PK\x03\x04" {
		data := int64(30) + int64(binary.LittleEndian.Uint16(h[26:])) + int64(binary.LittleEndian.Uint16(h[28:]))
		listed := false
		for i := 0; i < n && !listed; i++ {
			z := span(i)
			listed = z.Off >= 0 && z.Off == data
		}
		if !listed {
			return ZipUnlistedHeader{0, "the zip local file header at offset 0 belongs to no entry of the archive's central directory: extractors that read local headers from the start see files that were not " + skipped}, true
		}
	}
	first := int64(-1) // where the first listed entry's data starts
	for i := range n {
		if z := span(i); z.Off >= 0 && z.Off <= size && (first < 0 || z.Off < first) {
			first = z.Off
		}
	}
	if at, ok := ZipHiddenInPrefix(r, first, size); ok {
		return ZipUnlistedHeader{at, fmt.Sprintf("the zip local file header at offset %d, in the data before the archive's first listed entry, belongs to no entry of its central directory: extractors that stream local headers from the start of the file, or search for the first one, see a file that was not %s", at, skipped)}, true
	}
	if at, ok := zipHiddenHeader(r, n, span, size); ok {
		return ZipUnlistedHeader{at, fmt.Sprintf("the zip local file header at offset %d, between the archive's listed entries, belongs to no entry of its central directory: extractors that stream local headers see a file that was not %s", at, skipped)}, true
	}
	return ZipUnlistedHeader{}, false
}

// ZipUnlistedHeader is a local file header no central record lists: its
// offset and the finding's message (file/zip-unlisted-entry).
type ZipUnlistedHeader struct {
	Offset  int64
	Message string
}

// ZipHiddenInPrefix searches the bytes of r before to, where the first listed
// entry's data starts, for a local file header other than that entry's
// own (the one whose name and extra field end at to): a second archive, or
// entries written without a directory, that extractors which stream local
// headers from the start, or search for the first, read instead. Those
// bytes are often a self-extractor's stub, which is code: code that reads
// zips holds the signature "PK\x03\x04" as an operand, so only a
// signature followed by a header an extractor would read counts (see
// plausibleLocalHeader). The bytes are read once, a MiB at a time.
func ZipHiddenInPrefix(r io.ReaderAt, to, size int64) (int64, bool) {
	const chunk = 1 << 20
	if to <= 4 {
		return 0, false
	}
	buf := make([]byte, min(to, chunk+3))
	for pos := int64(0); pos < to; pos += chunk {
		b := buf[:min(to-pos, chunk+3)]
		if n, _ := r.ReadAt(b, pos); n < len(b) {
			return 0, false
		}
		for i := 0; i < chunk; i++ {
			k := bytes.Index(b[i:], []byte("PK\x03\x04"))
			if k < 0 || i+k >= chunk {
				break
			}
			i += k
			at := pos + int64(i)
			if ok, own := plausibleLocalHeader(r, b[i:], at, to, size); own {
				return 0, false
			} else if ok {
				return at, true
			}
		}
	}
	return 0, false
}

// plausibleLocalHeader reports whether the local file header signature at
// offset at of r (of size bytes), whose bytes from there on b holds (some
// or all of them), starts a header that an extractor would
// read as an entry: a known compression method (APPNOTE 4.4.5), a name of
// printable bytes, and a name, extra field and (unless a data descriptor
// follows) data that fit in the file. own says the header's name and extra
// field end at to: it is the header of the entry whose data starts there.
// Fields an extractor does not act on (versions, times, CRC) are not
// looked at: an attacker sets them at will.
func plausibleLocalHeader(r io.ReaderAt, b []byte, at, to, size int64) (ok, own bool) {
	h := b
	if len(h) < 30 {
		var a [30]byte
		if n, _ := r.ReadAt(a[:], at); n < len(a) {
			return false, false
		}
		h = a[:]
	}
	le := binary.LittleEndian
	flags, method := le.Uint16(h[6:]), le.Uint16(h[8:])
	comp := int64(le.Uint32(h[18:]))
	n, m := int64(le.Uint16(h[26:])), int64(le.Uint16(h[28:]))
	if at+30+n+m == to {
		return true, true
	}
	switch method {
	case 0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 14, 16, 18, 19, 20, 93, 94, 95, 96, 97, 98, 99:
	default:
		return false, false
	}
	end := at + 30 + n + m
	if flags&0x8 == 0 && comp != 0xffffffff {
		end += comp
	}
	if n == 0 || end > size {
		return false, false
	}
	var name []byte
	if int64(len(h)) >= 30+n {
		name = h[30 : 30+n]
	} else {
		name = make([]byte, n)
		if k, _ := r.ReadAt(name, at+30); int64(k) < n {
			return false, false
		}
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f {
			return false, false
		}
	}
	return true, false
}

// zipHiddenHeader returns the offset of the first local file header
// signature found after the data of a listed entry and before the next
// listed entry's own local header (the last signature in the gap whose
// name and extra field end exactly where that entry's data starts), or
// before the central directory (the first "PK\x01\x02" or end record
// signature) after the last entry. Bytes before the first entry are
// ZipHiddenInPrefix's. Each gap is read once, so the work is at most the archive's
// size.
func zipHiddenHeader(r io.ReaderAt, n int, span func(i int) ZipSpan, size int64) (int64, bool) {
	type run struct{ start, end int64 }
	es := make([]run, 0, n)
	for i := range n {
		z := span(i)
		off := z.Off
		if off < 0 || off > size {
			continue
		}
		es = append(es, run{off, off + int64(min(z.Comp, uint64(size-off)))})
	}
	if len(es) == 0 {
		return 0, false
	}
	sort.Slice(es, func(a, b int) bool { return es[a].start < es[b].start })
	prevEnd := es[0].end
	var buf []byte // reused from gap to gap
	for k := 1; k <= len(es); k++ {
		next := size // after the last entry: up to the central directory
		if k < len(es) {
			next = es[k].start
		}
		if prevEnd < next {
			if at, ok := hiddenInGap(r, prevEnd, next, k == len(es), &buf); ok {
				return at, true
			}
		}
		if k < len(es) {
			prevEnd = max(prevEnd, es[k].end)
		}
	}
	return 0, false
}

// hiddenInGap searches r[from:to] for a local file header signature that
// does not introduce the data at to: last says the gap runs to the end of
// the archive, where the central directory ends the search. *bp is a
// buffer to reuse.
func hiddenInGap(r io.ReaderAt, from, to int64, last bool, bp *[]byte) (int64, bool) {
	const chunk = 1 << 20
	if n := int(min(to-from, chunk+3)); cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:min(to-from, chunk+3)]
	for pos := from; pos < to; pos += chunk {
		b := buf[:min(to-pos, chunk+3)]
		if n, _ := r.ReadAt(b, pos); n < len(b) {
			return 0, false
		}
		for i := 0; i+4 <= len(b) && i < chunk; i++ {
			if b[i] != 'P' || b[i+1] != 'K' {
				continue
			}
			sig := string(b[i+2 : i+4])
			if last && (sig == "\x01\x02" || sig == "\x05\x06" || sig == "\x06\x06") {
				return 0, false // the central directory or an end record
			}
			if sig != "\x03\x04" {
				continue
			}
			at := pos + int64(i)
			var h [30]byte
			if n, _ := r.ReadAt(h[:], at); n < len(h) {
				return 0, false
			}
			if !last && at+30+int64(binary.LittleEndian.Uint16(h[26:]))+int64(binary.LittleEndian.Uint16(h[28:])) == to {
				return 0, false // the next entry's own header
			}
			return at, true
		}
	}
	return 0, false
}

// ZeroedBefore returns r with its bytes before offset from read as zeros:
// the bytes of another archive, checked on their own, that ZipUnlisted's
// search for local file headers passes over (the archives concatenated
// after a PE, from the second on).
func ZeroedBefore(r io.ReaderAt, from int64) io.ReaderAt {
	if from <= 0 {
		return r
	}
	return zeroedBefore{r, from}
}

type zeroedBefore struct {
	r    io.ReaderAt
	from int64
}

func (z zeroedBefore) ReadAt(b []byte, off int64) (int, error) {
	n, err := z.r.ReadAt(b, off)
	if off < z.from {
		clear(b[:min(int64(n), z.from-off)])
	}
	return n, err
}
