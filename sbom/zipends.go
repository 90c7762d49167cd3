package sbom

import (
	"errors"
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// checkZipEnds checks the end structures of the zip archive of size bytes
// at r, reported at path at, as verify checks an input zip's or a nested
// one's (release.ZipEnds): bytes no end structure owns are
// file/zip-trailing-data, two ZIP64 end records file/zip-invalid, and a
// ZIP64 locator pointing at no record file/malformed, the archive then not
// read (false). It returns the archive as archive/zip must read it and its
// size, up to its end record's comment. An archive whose end record
// zipend.Find does not take is left to archive/zip, whose error says why.
func (b *builder) checkZipEnds(r io.ReaderAt, size int64, at string) (io.ReaderAt, int64, bool) {
	z, ok, err := zipend.Find(r, size, []int64{size}, nil)
	if err != nil || !ok || !z.Valid {
		return r, size, true
	}
	ze, err := release.ReadZipEnds(r, z)
	if le := (*release.Zip64LocatorError)(nil); errors.As(err, &le) {
		f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, le.Error())
		f.Path, f.Offset = at, &le.Loc
		b.inv.Findings = append(b.inv.Findings, f)
		return nil, 0, false
	}
	if err == nil {
		b.inv.Findings = append(b.inv.Findings, ze.Unowned(r, size, at)...)
		r = ze.Reader(r)
	}
	return io.NewSectionReader(r, 0, z.End), z.End, true
}

// zipFile lists the zip archive (release.NestedArchive) of size bytes at r
// found at report path at, depth levels down, its end structures checked
// first, as verify checks them (checkZipEnds).
func (l *containerLister) zipFile(at string, r io.ReaderAt, size int64, depth int) {
	if r, size, ok := l.b.checkZipEnds(r, size, at); ok {
		l.zip(at, r, size, depth)
	}
}
