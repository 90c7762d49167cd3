package sbom

import (
	"archive/zip"
	"io"
	"io/fs"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/walk"
)

// An MSI or cabinet that is an entry of a zip archive or tarball finds its
// external cabinets, or its set's other cabinets, among the archive's
// entries, as verify finds them (container.CabinetArchiveFS): in a zip
// archive that names a cabinet or installer (container.CabinetName; verify
// keeps such an archive's records), in any tarball (release.TarFS).

// zipSiblings returns the release's zip archive, ending at end in ra, as a
// file system under the names its entries are listed by (walk.ZipFS, as
// verify reads an entry's siblings) when files name a cabinet or
// installer, else nil.
func (b *builder) zipSiblings(files []*zip.File, ra io.ReaderAt, end int64) fs.FS {
	if !container.ZipHoldsCabinets(files) {
		return nil
	}
	zr, err := zip.NewReader(ra, end)
	if zr == nil || err != nil && zr.File == nil {
		return nil
	}
	return zipNamedFS(zr)
}

// zipNamedFS returns zr as a file system under the names its entries
// are listed by (walk.ZipFS), where an entry's cabinets are looked up
// under its listed name.
func zipNamedFS(zr *zip.Reader) fs.FS {
	_, named := walk.ZipFS(zr)
	return named
}

// entryCabinets returns, for the entry a zip or tar reader is listing, the
// opener of the cabinets beside it in the archive (nil for an entry of no
// archive, or of a zip archive that names no cabinet), and forgets the
// entry, so that what its walk lists does not take it.
func (l *containerLister) entryCabinets() func(name string) (io.ReaderAt, int64, io.Closer, error) {
	sib, name := l.sib, l.sibName
	l.sib, l.sibName = nil, ""
	if sib == nil {
		return nil
	}
	return container.CabinetArchiveFS(sib, name, l.b.holdCabinet)
}

// holdCabinet charges a cabinet of size bytes read into memory to the
// installers' maxHeld, as their compressed files are, and returns the
// function that gives it back.
func (b *builder) holdCabinet(size int64) (func(), bool) {
	if size < 0 || size > maxHeld-b.installerHeld {
		return nil, false
	}
	b.installerHeld += size
	return func() { b.installerHeld -= size }, true
}
