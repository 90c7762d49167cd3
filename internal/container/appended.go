package container

import (
	"io"

	"github.com/shipgate/shipgate/internal/zipend"
)

// ZipEnds returns the offsets before which the zip archive a file carries
// at its end (a self-extractor's payload) is looked for: the file's end,
// and for a PE (pe true) the start of its certificate table, which a
// signed self-extractor's archive precedes.
func ZipEnds(r io.ReaderAt, size int64, pe bool) []int64 {
	ends := []int64{size}
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
