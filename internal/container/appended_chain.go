package container

import (
	"bufio"
	"encoding/binary"
	"io"

	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/zipend"
)

// MaxAppended is how many zip archives [AppendedZips] returns at most: a
// file of thousands of empty-looking archives laid end to end is not
// followed further (the first one returned is still opened from the
// file's start, so verify's check of local headers before it sees the
// rest).
const MaxAppended = 16

// AppendedZips returns, in file order, every zip archive that a tool could
// extract from the end of the PE file of size bytes at r, given the
// archive z that [FindAppendedZip] found there with ends (from [ZipEnds])
// and walked: z itself, which extractors reading the file from its end
// (unzip, 7-Zip, archive/zip) open; the signed archive before the
// certificate table when z lies in or after it ([SignedZip]), which the
// signed stub extracts; and each archive ending right before the first
// local file header of the earliest one found so far (two zips
// concatenated after a stub), which a stub that knows where its payload
// starts, and extractors reading local headers from the file's start,
// extract instead. verify checks and sbom lists each of them, so the two
// agree on what a self-extractor carries. An archive whose end record lies
// in walked is not one of them; a ZIP64 archive's predecessors are not
// looked for (the first archive returned is checked for local headers
// before it by verify, whatever they belong to). z must be valid.
func AppendedZips(r io.ReaderAt, size int64, ends []int64, z zipend.End, walked []Span) []zipend.End {
	out := []zipend.End{z}
	if s, ok := SignedZip(r, size, ends, z, walked); ok {
		out = []zipend.End{s, z}
	}
	for len(out) < MaxAppended {
		first := out[0]
		start, ok := ArchiveStart(r, first)
		if !ok || start <= 0 {
			break
		}
		p, ok, err := FindAppendedZip(r, size, []int64{start}, nil, walked)
		if err != nil || !ok || !p.Valid || p.Off+zipend.Len > start || p.Off >= first.Off || emptyArchive(r, p) {
			break
		}
		out = append([]zipend.End{p}, out...)
	}
	return out
}

// emptyArchive reports whether the end record z describes no entries.
func emptyArchive(r io.ReaderAt, z zipend.End) bool {
	var rec [zipend.Len]byte
	if n, _ := r.ReadAt(rec[:], z.Off); n < len(rec) {
		return true
	}
	return binary.LittleEndian.Uint16(rec[10:]) == 0 && binary.LittleEndian.Uint32(rec[12:]) == 0
}

// DirectoryStart returns where the central directory of the zip archive
// whose end record is z starts in r, as Go's archive/zip places it: at the
// offset the record gives plus a base that puts the directory right before
// the record (a stub's length, when the archive's offsets do not count
// it), unless a directory header is at the offset the record gives. ok is
// false for a ZIP64 archive, or a directory that is not inside the file
// before the record.
func DirectoryStart(r io.ReaderAt, z zipend.End) (start, dirSize int64, ok bool) {
	var rec [zipend.Len]byte
	if n, _ := r.ReadAt(rec[:], z.Off); n < len(rec) {
		return 0, 0, false
	}
	le := binary.LittleEndian
	records, size, off := le.Uint16(rec[10:]), int64(le.Uint32(rec[12:])), int64(le.Uint32(rec[16:]))
	if records == 0xffff || size == 0xffff || size == 0xffffffff || off == 0xffffffff || size > z.Off {
		return 0, 0, false
	}
	base := z.Off - size - off
	if base > 0 && dirHeaderAt(r, off) {
		base = 0
	}
	start = base + off
	if start < 0 || start+size > z.Off {
		return 0, 0, false
	}
	return start, size, true
}

// dirHeaderAt reports whether a central directory header's signature and
// fixed fields are at offset at of r.
func dirHeaderAt(r io.ReaderAt, at int64) bool {
	var h [46]byte
	n, _ := r.ReadAt(h[:], at)
	return n == len(h) && string(h[:4]) == "PK\x01\x02"
}

// ArchiveStart returns the offset in r of the first local file header of
// the zip archive whose end record is z: the smallest offset its central
// directory's records give, counted from the base [DirectoryStart] finds.
// The directory is read once, sequentially; ok is false when it cannot
// be read or lists nothing.
func ArchiveStart(r io.ReaderAt, z zipend.End) (int64, bool) {
	dir, size, ok := DirectoryStart(r, z)
	if !ok {
		return 0, false
	}
	var rec [zipend.Len]byte
	r.ReadAt(rec[:], z.Off)
	base := dir - int64(binary.LittleEndian.Uint32(rec[16:]))
	br := bufio.NewReaderSize(io.NewSectionReader(r, dir, size), 64<<10)
	first, found := int64(-1), false
	var h [46]byte
	for read := int64(0); read+46 <= size; {
		if _, err := io.ReadFull(br, h[:]); err != nil || string(h[:4]) != "PK\x01\x02" {
			break
		}
		le := binary.LittleEndian
		rest := int64(le.Uint16(h[28:])) + int64(le.Uint16(h[30:])) + int64(le.Uint16(h[32:]))
		if off := base + int64(le.Uint32(h[42:])); off >= 0 && off < z.Off && (!found || off < first) {
			first, found = off, true
		}
		if n, err := br.Discard(int(rest)); err != nil || int64(n) < rest {
			break
		}
		read += 46 + rest
	}
	return first, found
}

// TrailingAppended reports whether the zip archive that the range t of
// the PE of size bytes at r ends with (the bytes after an NSIS installer's
// data, $NSIS/trailing-data), read as a file of its own, is one that
// [AppendedZips] finds in the PE, its central directory at the same
// place: the same entries, which verify checks under the PE's path, as
// sbom lists them, and so not again under the trailing data's. An archive
// that reads otherwise on its own (its offsets count from the trailing
// data, and a directory header sits where they point in the PE), a ZIP64
// one, or none, is not; nor is one when the range is itself a PE (a
// second self-extractor appended), whose own walk finds its archives (a
// signed one before its certificate table that the outer search may
// miss).
func TrailingAppended(r io.ReaderAt, size int64, t Span, walked []Span) bool {
	if t.Offset < 0 || t.Size <= 0 || t.Offset+t.Size > size {
		return false
	}
	sr := io.NewSectionReader(r, t.Offset, t.Size)
	head := make([]byte, min(t.Size, filekind.HeadLen))
	if n, _ := sr.ReadAt(head, 0); filekind.DetectAt(sr, head[:n], t.Size) == filekind.PE {
		return false
	}
	own, ok, err := zipend.Find(sr, t.Size, []int64{t.Size}, nil)
	if err != nil || !ok || !own.Valid {
		return false
	}
	ends := ZipEnds(r, size, true)
	z, ok, err := FindAppendedZip(r, size, ends, nil, walked)
	if err != nil || !ok || !z.Valid {
		return false
	}
	for _, a := range AppendedZips(r, size, ends, z, walked) {
		if a.Off != t.Offset+own.Off || a.End != t.Offset+own.End {
			continue
		}
		da, _, ok1 := DirectoryStart(r, a)
		dt, _, ok2 := DirectoryStart(sr, own)
		return ok1 && ok2 && da == t.Offset+dt
	}
	return false
}
