package verify

import (
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
)

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
