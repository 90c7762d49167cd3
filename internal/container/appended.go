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

// FindAppendedZip finds the end record of the zip archive the file of size
// bytes at r carries at its end, searched before each of ends (see
// [ZipEnds] and [zipend.Find]; tail, when not empty, is the file's last
// bytes), as verify and sbom both open it. opened are the zip archives
// the file's walk already handed over ([Visitor].Zip: a Squirrel
// Setup.exe's resource package, which may end the file): a record inside
// one of them is that archive's and not an appended one, so that nothing
// is opened twice; ok is then false, as it is when no record is found.
func FindAppendedZip(r io.ReaderAt, size int64, ends []int64, tail []byte, opened []Zip) (z zipend.End, ok bool, err error) {
	z, ok, err = zipend.Find(r, size, ends, tail)
	if ok && InZips(z.Off, opened) {
		return zipend.End{}, false, nil
	}
	return z, ok, err
}

// InZips reports whether file offset off lies in one of the zip archives
// zs.
func InZips(off int64, zs []Zip) bool {
	for _, z := range zs {
		if off >= z.Offset && off < z.Offset+z.Size {
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
func SignedZip(r io.ReaderAt, size int64, ends []int64, z zipend.End, opened []Zip) (zipend.End, bool) {
	if len(ends) < 2 || z.End <= ends[1] {
		return zipend.End{}, false
	}
	cert := ends[1]
	s, ok, err := FindAppendedZip(r, size, []int64{cert}, nil, opened)
	if err != nil || !ok || !s.Valid || s.End > cert || s.Off == z.Off {
		return zipend.End{}, false
	}
	return s, true
}
