package container

import (
	"io"
	"slices"

	"github.com/shipgate/shipgate/internal/zipend"
)

// ZipEnds returns the offsets before which the zip archive a file carries
// at its end (a self-extractor's payload) is looked for: the file's end,
// and for a PE (pe true) the start of its certificate table, which a
// signed self-extractor's archive precedes.
func ZipEnds(r io.ReaderAt, size int64, pe bool) []int64 {
	return appendZipEnds(nil, r, size, pe)
}

// appendZipEnds appends ZipEnds(r, size, pe) to ends.
func appendZipEnds(ends []int64, r io.ReaderAt, size int64, pe bool) []int64 {
	ends = append(ends, size)
	if pe {
		if off, ok := PECertTable(r, size); ok && off < size {
			ends = append(ends, off)
		}
	}
	return ends
}

// Span is a range of a container's file that its walk accounted for: a
// zip archive handed over ([Visitor].Zip), an NSIS installer's data
// ([Visitor].Data).
type Span struct{ Offset, Size int64 }

// FindAppendedZip finds the end record of the zip archive the file of size
// bytes at r carries at its end, searched before each of ends (see
// [ZipEnds] and [zipend.Find]; tail, when not empty, is the file's last
// bytes), as verify and sbom both open it. walked are the ranges of the
// file its walk already accounted for (a Squirrel Setup.exe's resource
// package, which may end the file, as verify passes them; sbom adds an
// NSIS installer's stored block that is a self-extractor, whose zip it
// lists under the block's path; not the whole NSIS data, whose last
// stored block may be a plain zip that is listed nowhere else): a record inside
// one of them is that range's and not an appended archive's, so that
// nothing is opened twice; ok is then false, as it is when no record is
// found.
func FindAppendedZip(r io.ReaderAt, size int64, ends []int64, tail []byte, walked []Span) (z zipend.End, ok bool, err error) {
	z, ok, err = zipend.Find(r, size, ends, tail)
	if ok && inSpans(z.Off, walked) {
		return zipend.End{}, false, nil
	}
	return z, ok, err
}

// inSpans reports whether file offset off lies in one of spans.
func inSpans(off int64, spans []Span) bool {
	for _, s := range spans {
		if off >= s.Offset && off < s.Offset+s.Size {
			return true
		}
	}
	return false
}

// SignedZip finds, when the archive z that [FindAppendedZip] found with
// ends (from [ZipEnds]) lies past the start of a PE's certificate table
// (planted in the signature, or appended after it), the archive that ends
// before the table: a signed self-extractor's payload. An extractor
// reading the file from its end takes z, a stub that knows where its
// payload starts the other, so a walker that opens only z would miss what
// the signed stub installs. ok is false when the PE has no certificate
// table, z lies before it, or no other valid archive ends before it.
func SignedZip(r io.ReaderAt, size int64, ends []int64, z zipend.End, walked []Span) (zipend.End, bool) {
	if len(ends) < 2 || z.End <= ends[1] {
		return zipend.End{}, false
	}
	cert := ends[1]
	s, ok, err := FindAppendedZip(r, size, []int64{cert}, nil, walked)
	if err != nil || !ok || !s.Valid || s.End > cert || s.Off == z.Off {
		return zipend.End{}, false
	}
	return s, true
}

// Appended is what a file of a release carries at its end as zip
// archives, found by FindAppended.
type Appended struct {
	// Ends are the offsets the archives were looked for before (ZipEnds);
	// nil when none was found.
	Ends []int64
	// Zips are the archives to open under the file's path, in file
	// order: the one found from the end and, for a PE, every other a
	// tool could extract from there (AppendedZips).
	Zips []zipend.End
	// Invalid, when set and Zips is empty, is an end record whose
	// central directory is not there (see release.ZipDirMissing).
	Invalid *zipend.End
}

// FindAppended is the one decision verify and sbom make on a file of a
// release that is not opened as an archive of its own (a zip, a tarball, a
// 7-Zip archive, an asar): the zip archives it carries at its end, of
// whatever kind the file is (pe says it is a PE: its certificate table is
// an end too, and more than one archive may be found), searched as
// FindAppendedZip searches (tail and walked are its).
func FindAppended(r io.ReaderAt, size int64, pe bool, tail []byte, walked []Span) (Appended, error) {
	// The ends are kept only when an archive is found: most files carry
	// none, and their search allocates nothing.
	var buf [2]int64
	ends := appendZipEnds(buf[:0], r, size, pe)
	z, ok, err := FindAppendedZip(r, size, ends, tail, walked)
	if err != nil || !ok {
		return Appended{}, err
	}
	a := Appended{Ends: slices.Clone(ends)}
	switch {
	case !z.Valid:
		invalid := z // z itself stays on the stack
		a.Invalid = &invalid
	case pe:
		a.Zips = AppendedZips(r, size, a.Ends, z, walked)
	default:
		a.Zips = []zipend.End{z}
	}
	return a, nil
}

// Limit returns where the archive Zips[i] ends for its end checks
// (release.CheckZipEnds): the next of Ends after it (a PE's certificate
// table, but for the few zero bytes that align it) or the file's end, or
// its end record's end when another archive follows before that (the
// bytes between are that archive's prefix, checked by it).
func (a Appended) Limit(r io.ReaderAt, size int64, i int) int64 {
	z := a.Zips[i]
	limit := size
	for _, e := range a.Ends {
		if e >= z.End && e < limit {
			limit = e
		}
	}
	if i+1 < len(a.Zips) && a.Zips[i+1].Off < limit {
		limit = z.End
	}
	if limit < size && limit-z.End < 8 && allZero(r, z.End, limit) {
		limit = z.End // the certificate table's alignment (PE format, "The Attribute Certificate Table")
	}
	return limit
}
