package asar

import "fmt"

// UnownedPayloadSize is the size above which a range of unowned bytes
// ([ErrUnownedData]) can carry a payload: such a range is an error, a
// smaller one a warning, as for Authenticode's unowned signature data.
const UnownedPayloadSize = 16

// maxUnownedRanges caps the unowned ranges reported one by one; the rest
// are summed up in one more problem, so that a header of a million
// entries with a byte between each cannot make a million findings.
const maxUnownedRanges = 64

// span is a range of archive bytes no structure owns, with what it lies
// between.
type span struct {
	off, size int64
	what      string
}

// checkUnowned reports, as [ErrUnownedData] problems of the root ("."),
// the bytes of the archive that are neither part of the header nor the
// data of a readable packed file:
//
//   - in the header pickle, the bytes after the JSON string other than its
//     alignment padding (up to 3 zero bytes, which @electron/asar writes):
//     non-zero padding, pickle payload beyond the string, and header size
//     beyond the payload;
//   - in the data region, the gaps between the ranges of the readable
//     packed files, and the bytes after the last of them.
//
// @electron/asar writes the files back to back in header order from data
// offset 0 and nothing after the last one, so it makes no unowned data.
// Files that are not read (out of bounds, overlapping another, malformed,
// left out for an unsafe or duplicate name) own nothing: their bytes are
// reported here as well as the entry's own problem, since no check reads
// them. padding holds the bytes after the JSON string, at most its
// alignment padding; files are the packed non-empty files sorted by data
// offset.
func (ar *Reader) checkUnowned(padding []byte, files []*Entry) {
	var spans []span
	jsonEnd := jsonBase + ar.jsonLen
	dataOff := ar.DataOffset()
	if jsonEnd < dataOff {
		zero := true
		for _, b := range padding {
			zero = zero && b == 0
		}
		switch {
		case !zero:
			spans = append(spans, span{jsonEnd, dataOff - jsonEnd, fmt.Sprintf(
				"in the header after the JSON string, whose %d bytes of alignment padding are not zero (header size %d)",
				len(padding), ar.headerSize)})
		case jsonEnd+int64(len(padding)) < dataOff:
			start := jsonEnd + int64(len(padding))
			spans = append(spans, span{start, dataOff - start, fmt.Sprintf(
				"in the header after the JSON string and its %d bytes of zero padding (header size %d, %d needed)",
				len(padding), ar.headerSize, start-8)})
		}
	}

	var end int64     // data offset where the owned bytes so far end
	var before *Entry // the file whose data end there
	after := func() string {
		if before == nil {
			return "at the start of the data region"
		}
		return fmt.Sprintf("after the data of %s", before.Path)
	}
	for _, f := range files {
		if f.err != nil {
			continue
		}
		if f.Offset > end {
			spans = append(spans, span{dataOff + end, f.Offset - end, fmt.Sprintf(
				"between files' data: %s, before the data of %s (data offset %d)", after(), f.Path, f.Offset)})
		}
		if f.Offset+f.Size > end {
			end, before = f.Offset+f.Size, f
		}
	}
	if dataSize := ar.size - dataOff; end < dataSize {
		what := "in the data region, which no readable packed file uses"
		if before != nil {
			what = "after the data of the last file, " + before.Path
		}
		spans = append(spans, span{dataOff + end, dataSize - end, fmt.Sprintf(
			"%s, to the end of the %d-byte archive (trailing data)", what, ar.size)})
	}

	for i, s := range spans {
		if i == maxUnownedRanges && len(spans) > maxUnownedRanges+1 {
			var total int64
			for _, r := range spans[i:] {
				total += r.size
			}
			ar.unowned(s.off, total, fmt.Sprintf("%d more ranges of %d bytes in all, the first %s",
				len(spans)-i, total, s.what))
			break
		}
		ar.unowned(s.off, s.size, fmt.Sprintf("%d bytes %s", s.size, s.what))
	}
}

// unowned records an [ErrUnownedData] problem.
func (ar *Reader) unowned(off, size int64, detail string) {
	ee := ar.problem(".", off, ErrUnownedData,
		detail+"; no entry holds them and neither the header hash nor any file's integrity covers them")
	ee.Size = size
}
