package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
)

// sniffLen is how many leading bytes DetectKind looks at.
const sniffLen = 4096

// DetectKind identifies a file's kind from its first bytes (up to 4096; fewer
// when the file is shorter) by magic numbers, never by name, with the rules
// of [filekind.Detect] that the Electron inventory shares:
//
//   - PE: "MZ", and at the offset in e_lfanew (0x3c) the signature "PE\0\0";
//     the PE header must lie within the bytes given.
//   - Mach-O: 0xfeedface or 0xfeedfacf in either byte order.
//   - universal Mach-O: 0xcafebabe or 0xcafebabf (big-endian) followed by
//     an architecture count of 1 up to as many entries as fit in 4096 bytes
//     (the loader reads no more). Java class files share 0xcafebabe but
//     carry their version there, which is 45 or more: from 45 on, a
//     0xcafebabe file is universal only when every entry of its table lies
//     after the table (and within the file, when its size is known), so
//     filler entries cannot hide a loadable slice.
//   - asar: the Chromium pickle header Electron writes: a 4-byte size of 4,
//     then the header pickle's size, its payload size, and the JSON string's
//     length, consistent with each other, followed by '{'.
//
// Everything else is KindOther. The release walker also knows disk images
// (KindDMG) by the koly trailer at their end, which the first bytes do not
// show, and a .dmg by its name. Zip archives and tarballs are KindOther too;
// see [IsZip]. The release walker also opens, as zip archives, files of any
// kind that end with a zip archive's end of central directory record
// (self-extractors, archives after a junk prefix), and, as tar archives,
// files that start with a tar header or a gzip, xz or zstd stream holding
// one.
func DetectKind(b []byte) Kind { return detectKind(b, -1) }

// detectKind is DetectKind for a file of size bytes (-1 when unknown).
func detectKind(b []byte, size int64) Kind { return kindOf(filekind.Detect(b, size)) }

// kindOf maps the detector's kinds to the report's.
func kindOf(k filekind.Kind) Kind {
	switch k {
	case filekind.PE:
		return KindPE
	case filekind.MachO:
		return KindMachO
	case filekind.MachOUniversal:
		return KindMachOUniversal
	case filekind.Asar:
		return KindAsar
	}
	return KindOther
}

// IsZip reports whether b starts with a zip local file header
// ("PK\x03\x04") or an empty archive's end record ("PK\x05\x06"). A zip
// archive may also follow other data: the release walker finds those by
// their end record.
func IsZip(b []byte) bool { return filekind.IsZip(b) }

// peHeaderAt returns the offset e_lfanew gives when b starts a DOS header
// whose PE header lies beyond b but within size bytes: the loader accepts
// headers anywhere in the first 256 MiB, so the kind of such a file is
// decided by reading there.
func peHeaderAt(b []byte, size int64) (int64, bool) { return filekind.PEHeaderBeyond(b, size) }

// detectKindAt is detectKind for the file of size bytes at r whose first
// bytes are b: it also finds PE headers beyond b.
func detectKindAt(r io.ReaderAt, b []byte, size int64) Kind {
	return kindOf(filekind.DetectAt(r, b, size))
}

// A zip archive is found by its end of central directory record (APPNOTE
// 4.3.16), not by its first bytes: extractors read a zip from its end, so
// one can follow any data (a self-extractor's PE or Mach-O stub, a junk
// prefix), its offsets adjusted to the file or not. The record is 22 bytes
// and ends with a comment of up to 65535 bytes, so it starts within the
// last zipTailLen bytes of the archive.
const (
	eocdLen    = 22
	zipTailLen = 0xffff + eocdLen
)

// zipEnd is an end of central directory record found in a file.
type zipEnd struct {
	off int64 // where the record starts
	end int64 // where its comment ends: the archive is the bytes before
	// valid says the central directory the record describes starts with
	// its signature where the record says, or the record is a ZIP64 one;
	// otherwise the record only ends one of the regions searched exactly.
	valid bool
}

// findZipEnd looks for a zip end of central directory record in the
// zipTailLen bytes before each of ends (offsets in the file of size bytes at
// r: its size, and for a signed PE the start of its certificate table,
// which a signed self-extractor's archive precedes). It returns the last
// record (searching backward from each end in turn, as Go's archive/zip and
// Info-ZIP do) whose central directory is where it says, passing over an
// empty archive's record when an archive with entries precedes it (22
// bytes appended to a zip must not hide it from the walk, while extractors
// that know where it starts still read it); failing that, a
// record whose comment ends exactly at one of ends, with valid false; or
// false. Random bytes that happen to read "PK\x05\x06" are neither: they
// are not reported. tail, when not empty, is the file's last bytes, which
// are not read again.
func findZipEnd(r io.ReaderAt, size int64, ends []int64, tail []byte) (zipEnd, bool, error) {
	var found, empty zipEnd
	ok, hasEmpty := false, false
	for _, limit := range ends {
		if limit <= 0 || limit > size {
			continue
		}
		start := max(0, limit-zipTailLen)
		var buf []byte
		if t := size - int64(len(tail)); start >= t {
			buf = tail[start-t : limit-t]
		} else {
			buf = make([]byte, limit-start)
			if n, err := r.ReadAt(buf, start); n < len(buf) {
				return zipEnd{}, false, fmt.Errorf("reading the %d bytes before offset %d: %w", len(buf), limit, err)
			}
		}
		sigs := zipEndSigs(buf)
		for s := len(sigs) - 1; s >= 0; s-- {
			i := sigs[s]
			z := zipEnd{off: start + int64(i)}
			z.end = z.off + eocdLen + int64(binary.LittleEndian.Uint16(buf[i+20:]))
			if z.end > size {
				continue // its comment runs past the file
			}
			if valid, none := zipDirectoryAt(r, z.off, buf[i:i+eocdLen]); valid && !none {
				z.valid = true
				return z, true, nil
			} else if valid && !hasEmpty {
				z.valid = true
				empty, hasEmpty = z, true
			}
			if !ok && slices.Contains(ends, z.end) {
				found, ok = z, true
			}
		}
	}
	if hasEmpty {
		return empty, true, nil
	}
	return found, ok, nil
}

// zipEndSigs returns, ascending, the offsets in buf of the zip end record
// signatures followed by room for the record. They are found forward
// (bytes.Index is vectorised), and tried from the last.
func zipEndSigs(buf []byte) []int {
	var sigs []int
	for o := 0; o <= len(buf)-eocdLen; {
		k := bytes.Index(buf[o:len(buf)-eocdLen+len(zipEndSig)], zipEndSig)
		if k < 0 {
			break
		}
		sigs = append(sigs, o+k)
		o += k + 1
	}
	return sigs
}

// zipDirectoryAt checks the end record rec, at offset off of r: an empty
// archive's record (empty is then true), a ZIP64 record with its locator
// just before, or one whose central directory starts with its signature
// ("PK\x01\x02") either right before the record or at the offset the
// record gives (archive/zip tries both: a self-extractor's offsets may or
// may not count its stub).
func zipDirectoryAt(r io.ReaderAt, off int64, rec []byte) (valid, empty bool) {
	le := binary.LittleEndian
	records, dirSize, dirOff := le.Uint16(rec[10:]), int64(le.Uint32(rec[12:])), int64(le.Uint32(rec[16:]))
	sigAt := func(at int64, sig string) bool {
		var b [4]byte
		n, _ := r.ReadAt(b[:], at)
		return at >= 0 && n == 4 && string(b[:]) == sig
	}
	switch {
	case records == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff:
		return off >= 20 && sigAt(off-20, "PK\x06\x07"), false
	case records == 0 && dirSize == 0:
		return true, true
	case records == 0 || dirSize < 46:
		return false, false // a directory record is at least 46 bytes
	}
	return (dirSize <= off && sigAt(off-dirSize, "PK\x01\x02")) || (dirOff+4 <= off && sigAt(dirOff, "PK\x01\x02")), false
}

// peCertTable returns the file offset of the certificate table of the PE
// file of size bytes at r, when the headers give one inside the file (see
// container.PECertTable).
func peCertTable(r io.ReaderAt, size int64) (int64, bool) { return container.PECertTable(r, size) }
