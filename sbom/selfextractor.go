package sbom

import (
	"io"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// listAppendedZip lists, when the release b.root is a PE followed by a zip
// archive (a self-extractor: a Go or 7-Zip SFX stub and its payload), the
// archive's files under the executable's name (see
// containerLister.appendedZip). The archive is charged to an expansion
// budget of the file's size and opened at depth 0, as a Setup.exe's
// resource zip is. Bytes after a PE that are no zip leave the release one
// file.
func (b *builder) listAppendedZip() {
	f, size, err := b.openRoot()
	if err != nil {
		return // the file is reported when it is read as the release
	}
	name := filepath.Base(b.root)
	l := &containerLister{b: b, x: release.NewExpansion(size), seen: map[string]lister{name: byRelease},
		add: func(it *item) { b.files = append(b.files, it) }}
	l.appendedZip(name, f, size, 0, nil)
}

// isPE reports whether the file of size bytes at r is a PE.
func isPE(r io.ReaderAt, size int64) bool {
	head := make([]byte, min(size, filekind.HeadLen))
	n, _ := r.ReadAt(head, 0)
	return filekind.DetectAt(r, head[:n], size) == filekind.PE
}

// hasAppendedZip reports whether the PE of size bytes at r carries a zip
// archive at its end that appendedZip would list.
func hasAppendedZip(r io.ReaderAt, size int64) bool {
	a, err := container.FindAppended(r, size, true, nil, nil)
	return err == nil && len(a.Zips) > 0
}

// endsWithZip reports whether the file of size bytes at r, of kind k
// (filekind.DetectAt's), whose last bytes are tail (or none), carries at
// its end a zip archive, or an end record whose central directory is not
// there, that appendedZip would list or report (container.FindAppended,
// verify's decision for a file of any kind). The error says why the end
// could not be read to look (reported as verify reports it:
// release.ZipSearchMessage).
func endsWithZip(r io.ReaderAt, size int64, k filekind.Kind, tail []byte) (bool, error) {
	a, err := container.FindAppended(r, size, k == filekind.PE, tail, nil)
	return err == nil && (len(a.Zips) > 0 || a.Invalid != nil), err
}

// appendedZip lists the files of the zip archives the file of size bytes
// at r, found at report path at, depth levels down, carries at its end (a
// self-extractor's payload, or a zip after any other bytes), under at, as
// verify finds and walks them (container.FindAppended, verify's decision):
// for a PE, the end record before a signed PE's certificate table or at
// the file's end, one whose central directory is where it says, and every
// other archive a tool could extract from there (container.AppendedZips,
// verify's list too): the signed one before the certificate table when
// that archive lies in or after it, and those concatenated before it.
// Each archive's end structures are checked first, as verify checks them
// (release.CheckZipEnds); an end record whose central directory is not
// there is file/zip-invalid (release.ZipDirMissing), as in verify. walked
// are the ranges the PE's walk already listed (a Squirrel Setup.exe's
// resource package, which may end the file; an NSIS installer's stored
// block that is a self-extractor): a record inside one of them is not
// listed again. A file that starts as a zip is one (zipFile), not this.
func (l *containerLister) appendedZip(at string, r io.ReaderAt, size int64, depth int, walked []container.Span) {
	head := make([]byte, min(size, filekind.HeadLen))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	if filekind.IsZip(head) {
		return
	}
	a, err := container.FindAppended(r, size, filekind.DetectAt(r, head, size) == filekind.PE, nil, walked)
	switch {
	case err != nil:
		l.b.finding(release.RuleUnreadable, signing.SeverityError, at, release.ZipSearchMessage(err))
		return
	case a.Invalid != nil:
		l.b.inv.Findings = append(l.b.inv.Findings, release.ZipDirMissing(*a.Invalid, size, at))
		return
	}
	// In file order: the first listed holds a name that a later one
	// holds too (reported as a duplicate).
	// Each before the last is reported as verify reports it, and local
	// headers are looked for from the end of the archive before on (the
	// bytes before are that archive's, listed on their own).
	l.b.inv.Findings = append(l.b.inv.Findings, container.AppendedFindings(r, a.Zips, a.Ends, at, "inventoried")...)
	for i, z := range a.Zips {
		zr, finds, ok := release.CheckZipEnds(r, z, a.Limit(r, size, i), at)
		l.b.inv.Findings = append(l.b.inv.Findings, finds...)
		if ok {
			from := int64(0)
			if i > 0 {
				from = a.Zips[i-1].End
			}
			l.zipFrom(at, io.NewSectionReader(zr, 0, z.End), z.End, depth, from)
		}
	}
}
