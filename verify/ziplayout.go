package verify

import (
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
)

// zeroedBefore is r with its bytes before offset from read as zeros: the
// bytes of another archive, checked on their own, that a search for local
// file headers passes over.
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

// zipEnds is release.ZipEnds: the end structures of a zip archive, read
// (and their unowned bytes reported) as sbom reads them.
type zipEnds = release.ZipEnds

// zip64LocatorError is release.Zip64LocatorError.
type zip64LocatorError = release.Zip64LocatorError

// readZipEnds reads the end structures of the zip archive whose end record
// z findZipEnd found in r (release.ReadZipEnds).
func readZipEnds(r io.ReaderAt, z zipEnd) (zipEnds, error) {
	return release.ReadZipEnds(r, zipend.End{Off: z.off, End: z.end, Valid: z.valid})
}
