package sbom

import (
	"io"

	"github.com/shipgate/shipgate/internal/release"
)

// checkZipEnds checks the end structures of the zip archive of size bytes
// at r, reported at path at, as verify checks an input zip's or a nested
// one's (release.ZipEnds): bytes no end structure owns are
// file/zip-trailing-data, two ZIP64 end records file/zip-invalid, and a
// ZIP64 locator pointing at no record file/malformed, the archive then not
// read (false): release.CheckZip, which verify checks them with. It returns the archive as archive/zip must read it and its
// size, up to its end record's comment. An archive whose end record
// zipend.Find does not take is left to archive/zip, whose error says why.
func (b *builder) checkZipEnds(r io.ReaderAt, size int64, at string) (io.ReaderAt, int64, bool) {
	r, size, finds, ok := release.CheckZip(r, size, at)
	b.inv.Findings = append(b.inv.Findings, finds...)
	return r, size, ok
}

// zipFile lists the zip archive (release.NestedArchive) of size bytes at r
// found at report path at, depth levels down, its end structures checked
// first, as verify checks them (checkZipEnds).
func (l *containerLister) zipFile(at string, r io.ReaderAt, size int64, depth int) {
	if r, size, ok := l.b.checkZipEnds(r, size, at); ok {
		l.zip(at, r, size, depth)
	}
}
