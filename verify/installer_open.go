package verify

import (
	"io"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/signing"
)

// openInstaller checks the files an installer carries, after the file
// itself was verified, as internal/container walks them (the walker sbom
// inventories them with): an NSIS installer's data blocks, under
// Setup.exe/<installed path> ($INSTDIR/app.dll, $PLUGINSDIR/app-64.7z), or
// Setup.exe/$NSIS/block-<offset> for a block no instruction names; the zip
// archives a PE keeps as resources (Squirrel's package), opened as zip
// archives under the PE's path; and the NSIS data of an uninstaller, which
// an installer carries as a data block without its exehead. NSIS blocks
// are checked one after the other as they are decompressed, zip entries as
// a self-extractor's are, within the same nesting and expansion limits as
// zip archives.
func (c *check) openInstaller(ra io.ReaderAt, size int64, hdr []byte) {
	switch {
	case c.f.Kind == KindPE:
		c.walkContainer(container.NSIS, ra, size)
		c.walkContainer(container.Squirrel, ra, size)
	case nsis.IsData(hdr):
		c.walkContainer(container.NSIS, ra, size)
	}
}

// walkContainer checks the files the container of kind k in ra carries,
// as internal/container hands them over, within the expansion budget of
// the outermost archive; a zip archive the container holds (a PE's
// resource) is opened as a zip archive under the path the walker gives.
func (c *check) walkContainer(k container.Kind, ra io.ReaderAt, size int64) {
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	container.Walk(c.e.ctx, k, ra, size, c.f.Path, x, container.Visitor{
		Entry:   func(en container.Entry) { c.entry(en.Path, en.Source, en.Size, x) },
		Finding: func(f signing.Finding) { c.finds = append(c.finds, f) },
		Zip: func(z container.Zip) {
			c.resZips = append(c.resZips, [2]int64{z.Offset, z.Offset + z.Size})
			c.openZipAt(io.NewSectionReader(ra, z.Offset, z.Size), z.Size, z.Path)
		},
		Depth: c.j.depth,
	})
}

// inResourceZip reports whether file offset off lies in a zip archive
// opened as one of the PE's resources.
func (c *check) inResourceZip(off int64) bool {
	for _, r := range c.resZips {
		if off >= r[0] && off < r[1] {
			return true
		}
	}
	return false
}
