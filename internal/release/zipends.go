package release

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// ZipEnds is what the end structures of a zip archive (APPNOTE 4.3.14 to
// 4.3.16: the ZIP64 end of central directory record, its locator and the
// end of central directory record) say, in offsets of the file that holds
// the archive.
type ZipEnds struct {
	eocd, end int64 // the end record and the end of its comment
	// dirEnd is where the central directory ends, by the offset and size
	// the records give, counted as archive/zip counts them (offsets from
	// the start of the file, or from a self-extractor's stub when that
	// puts the directory right before the end records).
	dirEnd int64
	// rec64 and rec64End bound the ZIP64 end record; rec64 is -1 when
	// the archive has none.
	rec64, rec64End int64
	// fix, when set, is the ZIP64 end record's true offset, which the
	// locator (at eocd-20) does not give: a ZIP64 archive with data put
	// before it and its offsets not adjusted (see ZipEnds.Reader).
	fix *int64
	// twin, when not -1, is a second ZIP64 end record, right before the
	// locator, besides the one the locator points to.
	twin int64
}

// Zip64LocatorError is a ZIP64 end of central directory locator that
// points where no ZIP64 end record is.
type Zip64LocatorError struct {
	// Loc is the locator's offset, To where it points.
	Loc, To int64
}

// Error says where the locator is and where it points.
func (e *Zip64LocatorError) Error() string {
	return fmt.Sprintf("the ZIP64 end of central directory locator at offset %d points to offset %d, where there is no ZIP64 end of central directory record (nor does one end at the locator); the archive's entries were not checked", e.Loc, e.To)
}

// ReadZipEnds reads the end structures of the zip archive whose end record
// z zipend.Find found in r (verify and sbom read them so). ZIP64 end records are found where their locator
// points or, failing that, right before the locator (APPNOTE 4.3.14 puts
// the record there, and a self-extractor whose stub was put before a ZIP64
// archive without adjusting its offsets points elsewhere); a locator that
// leads to neither is a *Zip64LocatorError. archive/zip's own rules are
// followed otherwise: a locator counts only when its disk fields say one
// disk.
func ReadZipEnds(r io.ReaderAt, z zipend.End) (ZipEnds, error) {
	le := binary.LittleEndian
	var rec [zipend.Len]byte
	if n, _ := r.ReadAt(rec[:], z.Off); n < len(rec) {
		return ZipEnds{}, fmt.Errorf("cannot read the end record at offset %d", z.Off)
	}
	ze := ZipEnds{eocd: z.Off, end: z.End, rec64: -1, rec64End: -1, twin: -1}
	records, dirSize, dirOff := le.Uint16(rec[10:]), uint64(le.Uint32(rec[12:])), uint64(le.Uint32(rec[16:]))
	endRec := z.Off // where the end records start
	// archive/zip compares the size with 0xffff, not 0xffffffff.
	if records == 0xffff || dirSize == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff {
		var loc [20]byte
		locOff := z.Off - 20
		if n, _ := r.ReadAt(loc[:], locOff); locOff >= 0 && n == len(loc) && string(loc[:4]) == "PK\x06\x07" && le.Uint32(loc[4:]) == 0 && le.Uint32(loc[16:]) == 1 {
			p := le.Uint64(loc[8:])
			at, ok := int64(-1), false
			q, found := zip64RecordBefore(r, locOff)
			switch {
			case p < uint64(locOff) && zip64RecordAt(r, int64(p), locOff, false):
				at, ok = int64(p), true
				if found && q != at {
					ze.twin = q
				}
			case found:
				at, ok = q, true
				ze.fix = &q
			}
			if !ok {
				return ZipEnds{}, &Zip64LocatorError{Loc: locOff, To: int64(min(p, 1<<62))}
			}
			var d64 [56]byte
			r.ReadAt(d64[:], at)
			ze.rec64 = at
			ze.rec64End = at + 12 + int64(min(le.Uint64(d64[4:]), uint64(locOff)))
			dirSize, dirOff = le.Uint64(d64[40:]), le.Uint64(d64[48:])
			endRec = at
		}
	}
	if dirSize > 1<<62 || dirOff > 1<<62 {
		ze.dirEnd = endRec
		return ze, nil
	}
	// archive/zip: the base is what puts the directory right before the
	// end records, unless a directory header parses at the recorded offset.
	base := endRec - int64(dirSize) - int64(dirOff)
	if base > 0 && dirHeaderAt(r, int64(dirOff)) {
		base = 0
	}
	ze.dirEnd = base + int64(dirOff) + int64(dirSize)
	return ze, nil
}

// zip64RecordAt reports whether a ZIP64 end of central directory record
// starts at offset at of r, before the locator at loc; exact says it must
// end right at the locator.
func zip64RecordAt(r io.ReaderAt, at, loc int64, exact bool) bool {
	var h [56]byte
	if at < 0 || at+int64(len(h)) > loc {
		return false
	}
	if n, _ := r.ReadAt(h[:], at); n < len(h) || string(h[:4]) != "PK\x06\x06" {
		return false
	}
	size := binary.LittleEndian.Uint64(h[4:])
	return size >= 44 && (!exact || uint64(loc-at) == 12+size)
}

// zip64RecordBefore finds a ZIP64 end record that ends right before the
// locator at loc, its extensible data (APPNOTE 4.3.14.2) included, within
// the 64 KiB before it.
func zip64RecordBefore(r io.ReaderAt, loc int64) (int64, bool) {
	start := max(0, loc-(56+0xffff))
	buf := make([]byte, loc-start)
	if n, _ := r.ReadAt(buf, start); n < len(buf) {
		return 0, false
	}
	for i := len(buf) - 56; i >= 0; i-- {
		if buf[i] == 'P' && bytes.HasPrefix(buf[i:], []byte("PK\x06\x06")) && zip64RecordAt(r, start+int64(i), loc, true) {
			return start + int64(i), true
		}
	}
	return 0, false
}

// dirHeaderAt reports whether a central directory header is at offset at
// of r as archive/zip reads one: its signature, then fixed fields and the
// name, extra field and comment their lengths give, all inside the file.
func dirHeaderAt(r io.ReaderAt, at int64) bool {
	var h [46]byte
	if n, _ := r.ReadAt(h[:], at); n < len(h) || string(h[:4]) != "PK\x01\x02" {
		return false
	}
	le := binary.LittleEndian
	rest := int64(le.Uint16(h[28:])) + int64(le.Uint16(h[30:])) + int64(le.Uint16(h[32:]))
	if rest == 0 {
		return true
	}
	var b [1]byte
	n, _ := r.ReadAt(b[:], at+46+rest-1)
	return n == 1
}

func sigAt(r io.ReaderAt, at int64, sig string) bool {
	var b [4]byte
	n, _ := r.ReadAt(b[:], at)
	return at >= 0 && n == 4 && string(b[:]) == sig
}

// Patched reports whether Reader reads other bytes than the file's: the
// locator's offset, when it does not point at the ZIP64 end record.
func (ze ZipEnds) Patched() bool { return ze.fix != nil }

// Reader returns r as archive/zip must read it: with the locator pointing
// at the ZIP64 end record where it is, when it does not.
func (ze ZipEnds) Reader(r io.ReaderAt) io.ReaderAt {
	if ze.fix == nil {
		return r
	}
	v := &patchedReaderAt{r: r, at: ze.eocd - 20 + 8}
	binary.LittleEndian.PutUint64(v.b[:], uint64(*ze.fix))
	return v
}

// patchedReaderAt is r with the 8 bytes at offset at replaced by b.
type patchedReaderAt struct {
	r  io.ReaderAt
	at int64
	b  [8]byte
}

func (p *patchedReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.r.ReadAt(b, off)
	if lo, hi := max(off, p.at), min(off+int64(n), p.at+int64(len(p.b))); lo < hi {
		copy(b[lo-off:hi-off], p.b[lo-p.at:hi-p.at])
	}
	return n, err
}

// Unowned returns the findings about the bytes of the archive that none of
// its end structures owns: between the central directory and the end
// records, between the ZIP64 end record and its locator, and from the end
// of the end record's comment to limit (the end of the file, or where the
// next structure of the file starts: a PE's certificate table). Each is at
// report path p with its offset and size. A comment is owned: its length
// is declared.
func (ze ZipEnds) Unowned(r io.ReaderAt, limit int64, p string) []signing.Finding {
	var out []signing.Finding
	if ze.twin >= 0 {
		off := ze.eocd - 20
		f := zipEndFinding(RuleZipInvalid, p, fmt.Sprintf("the ZIP64 end of central directory locator at offset %d points to a ZIP64 end record at offset %d, and another ends right before the locator at offset %d: extractors that take one or the other list different central directories", off, ze.rec64, ze.twin))
		f.Offset = &off
		out = append(out, f)
	}
	add := func(from, to int64, where string) {
		if from >= to || from < 0 {
			return
		}
		off := from
		f := zipEndFinding(RuleZipTrailing, p, fmt.Sprintf("%d bytes at offset %d, %s, belong to no structure of the zip archive%s: data there is read by no extractor that lists the archive, and may be by those that scan it", to-from, from, where, zipBytesHint(r, from, to)))
		f.Offset = &off
		out = append(out, f)
	}
	firstEnd := ze.eocd
	if ze.rec64 >= 0 {
		firstEnd = ze.rec64
		add(ze.rec64End, ze.eocd-20, "between the ZIP64 end of central directory record and its locator")
	}
	add(ze.dirEnd, firstEnd, "between the central directory and the end records")
	add(ze.end, limit, "after the end of central directory record and its comment")
	return out
}

// zipBytesHint says what the bytes of r in [from, to) look like, when
// that is telling: another archive's end record, or zeros.
func zipBytesHint(r io.ReaderAt, from, to int64) string {
	var b [512]byte
	k := min(to-from, int64(len(b)))
	if n, _ := r.ReadAt(b[:k], from); int64(n) < k {
		return ""
	}
	switch {
	case bytes.HasPrefix(b[:k], []byte("PK\x05\x06")):
		return " (another end record: tools that read the last one see another archive)"
	case to-from <= int64(len(b)) && bytes.Count(b[:k], []byte{0}) == int(k):
		return " (zeros)"
	}
	return ""
}

// zipEndFinding is an error finding of rule at report path p.
func zipEndFinding(rule signing.Rule, p, msg string) signing.Finding {
	f := signing.NewFinding(rule, signing.SeverityError, msg)
	f.Path = p
	return f
}
