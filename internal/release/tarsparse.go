package release

import (
	"archive/tar"
	"fmt"
	"strconv"

	"github.com/shipgate/shipgate/internal/filekind"
)

// A GNU sparse file's data is not where archive/tar's Header says: its
// stored size (the header's, or a pax "size" record) counts only the
// segments it holds, and a GNU sparse 1.0 entry (pax GNU.sparse.major=1)
// begins its data with a text map of those segments padded to a 512-byte
// block. archive/tar, GNU tar and bsdtar read the map up to its last
// number and skip the rest of its block, and skip the padding after the
// segments: bytes no extractor writes to a file. TarReader records the
// bytes archive/tar reads from the end of an entry's data to the start of
// the next one's (its headers, and a 1.0 map) to find both.

// checkSparse checks the GNU sparse entry idx (hdr) archive/tar just
// read, reporting non-zero bytes after a 1.0 map, and returns where its
// stored data ends in the tar stream, so that the padding after it is
// checked; ok is false when it cannot be told (reported).
func (t *TarReader) checkSparse(hdr *tar.Header, idx int, start int64) (end int64, ok bool) {
	rec := &t.pos.rec
	if rec.bad {
		return t.pos.pos, false // reported by checkMetaHeaders
	}
	at, ok := entryHeaderAt(rec.buf)
	raw, rawOK := int64(0), false
	if ok {
		raw, rawOK = tarNumeric(rec.buf[at+124 : at+136])
		if v, has := hdr.PAXRecords["size"]; has {
			n, err := strconv.ParseInt(v, 10, 64)
			raw, rawOK = n, err == nil && n >= 0
		}
	}
	if !ok || !rawOK {
		t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d is a GNU sparse file whose headers could not be located again, so the padding of its sparse map and data, which no extractor writes to a file, was not checked", idx)})
		return t.pos.pos, false
	}
	headerEnd := rec.from + int64(at) + filekind.TarBlock
	switch {
	case hdr.Typeflag == tar.TypeGNUSparse: // old GNU: extension blocks, then the data
		return t.pos.pos + raw, true
	case hdr.PAXRecords["GNU.sparse.major"] == "1" && hdr.PAXRecords["GNU.sparse.minor"] == "0":
		m := rec.buf[at+filekind.TarBlock:]
		text, ok := sparseMapEnd(m)
		blocks := (text + filekind.TarBlock - 1) / filekind.TarBlock * filekind.TarBlock
		if !ok || blocks != len(m) {
			t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: headerEnd,
				Message: fmt.Sprintf("tar entry %d's GNU sparse 1.0 map at offset %d could not be read again, so its padding, which no extractor writes to a file, was not checked", idx, headerEnd)})
			return headerEnd + raw, true
		}
		if i := nonZeroAt(m[text:]); i >= 0 {
			off := headerEnd + int64(text+i)
			t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: off,
				Message: fmt.Sprintf("the block of tar entry %d's GNU sparse 1.0 map holds non-zero bytes after the map, at offset %d, which no extractor reads or writes to a file", idx, off)})
		}
	}
	return headerEnd + raw, true // the map, if any, counts in the stored size
}

// entryHeaderAt returns the offset in b, the bytes of a tar stream from
// one entry's first header block, of the entry's own header block, past
// its pax and GNU long name and long link headers and their data, as
// archive/tar reads them.
func entryHeaderAt(b []byte) (int, bool) {
	at := 0
	for at+filekind.TarBlock <= len(b) {
		switch b[at+156] {
		case tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
			n, ok := tarNumeric(b[at+124 : at+136])
			if !ok || n > int64(len(b)) {
				return 0, false
			}
			at += filekind.TarBlock + int((n+filekind.TarBlock-1)/filekind.TarBlock*filekind.TarBlock)
		default:
			return at, true
		}
	}
	return 0, false
}

// sparseMapEnd returns where a GNU sparse 1.0 map at the start of m ends,
// past the newline of its last number: a count n, then n offset and
// length pairs, one number a line.
func sparseMapEnd(m []byte) (int, bool) {
	need, lines := int64(1), int64(0)
	lineStart := 0
	for i, c := range m {
		if c != '\n' {
			continue
		}
		if lines == 0 {
			n, err := strconv.ParseInt(string(m[lineStart:i]), 10, 64)
			if err != nil || n < 0 || n > int64(len(m)) {
				return 0, false
			}
			need += 2 * n
		}
		lines++
		if lines == need {
			return i + 1, true
		}
		lineStart = i + 1
	}
	return 0, false
}
