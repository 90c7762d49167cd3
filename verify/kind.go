package verify

import (
	"io"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/zipend"
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
//     length, consistent with each other, followed by '{' after a UTF-8
//     byte order mark and white space, which Chromium's JSON reader skips
//     (see [filekind.IsAsar]).
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
	eocdLen    = zipend.Len
	zipTailLen = zipend.TailLen
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
// which a signed self-extractor's archive precedes), as [zipend.Find] does
// (sbom finds a self-extractor's archive with it too).
func findZipEnd(r io.ReaderAt, size int64, ends []int64, tail []byte) (zipEnd, bool, error) {
	z, ok, err := zipend.Find(r, size, ends, tail)
	return zipEnd{off: z.Off, end: z.End, valid: z.Valid}, ok, err
}

// zipEndSigs returns, ascending, the offsets in buf of the zip end record
// signatures followed by room for the record (see [zipend.Sigs]).
func zipEndSigs(buf []byte) []int { return zipend.Sigs(buf) }

// peCertTable returns the file offset of the certificate table of the PE
// file of size bytes at r, when the headers give one inside the file (see
// container.PECertTable).
func peCertTable(r io.ReaderAt, size int64) (int64, bool) { return container.PECertTable(r, size) }
