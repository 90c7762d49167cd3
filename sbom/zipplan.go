package sbom

import (
	"archive/zip"
	"io"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// zipListed is a file entry of a zip archive that sbom lists: files[i]
// (zf), under name, the cleaned name extractors write it as; off is where
// its data starts (zf.DataOffset, read once by zipFiles: it reads the
// local header), -1 when that cannot be read.
type zipListed struct {
	zf   *zip.File
	name string
	off  int64
}

// zipFiles returns the file entries of the zip archive of entries files
// (its central directory, whole or read by chunks: walk.ZipFiles; size bytes at
// ra, found at report path at: "" for the release's own archive) that
// sbom lists, in archive order, and records the findings verify reports
// about them under at. The entries are walked as verify walks them
// (walk.ZipEntryChecks.Walk): each named by walk.NameZipEntry (the name
// unzip, 7-Zip and bsdtar write it as, its other names reported), one
// whose name leaves the archive file/insecure-path, not listed. The checks
// of each named entry are those verify makes, in its order
// (walk.ZipEntryChecks: a folder holding data, names held twice, once a
// name, or one on a case-insensitive file system, overlapping data, a
// local header naming it otherwise, set-ID and world-writable modes, link
// targets, encryption, absurd sizes); a link out of the archive is
// file/symlink-escape. A local header the central directory does not
// list (file/zip-unlisted-entry) is looked for from offset from on (0, or
// the end of the archive before, concatenated after a PE and listed on
// its own). Folders and symbolic links are not listed.
func (b *builder) zipFiles(files []*zip.File, ra io.ReaderAt, size int64, at string, from int64) []zipListed {
	// Names that are one on a case-insensitive file system: the filter's
	// first pass keeps hashes, not names, so that only the few that may
	// collide reach the set.
	ff := foldname.NewFilter(len(files))
	names := make([]walk.ZipName, len(files))
	for i, zf := range files {
		names[i] = walk.NameZipEntry(zf)
		if k := names[i].Key; k != "" {
			ff.Add(k, names[i].Dir)
		}
	}
	ff.Done()
	spans := make([]release.ZipSpan, len(files))
	for i, zf := range files {
		off, err := zf.DataOffset()
		if err != nil {
			off = -1
		}
		spans[i] = release.ZipSpan{Off: off, Comp: zf.CompressedSize64}
	}
	span := func(i int) release.ZipSpan { return spans[i] }
	if u, ok := release.ZipUnlisted(release.ZeroedBefore(ra, from), len(spans), span, size, "inventoried"); ok {
		f := signing.NewFinding(release.RuleZipUnlisted, signing.SeverityError, u.Message)
		f.Path, f.Offset = b.archiveName(at), &u.Offset // the archive's path, as verify reports it
		b.inv.Findings = append(b.inv.Findings, f)
	}
	local := release.ZipLocalHeaders(len(files), func(i int) release.ZipLocalEntry {
		return release.ZipLocalEntry{DataOffset: spans[i].Off, Compressed: spans[i].Comp, Method: files[i].Method, Host: uint8(files[i].CreatorVersion >> 8), ExternalAttrs: files[i].ExternalAttrs}
	}, ra, size, func(i int, name []byte, up string) bool {
		// A Unicode Path field both headers carry, or the central
		// record alone, is reported once, by walk.ZipName.Findings.
		return string(name) == files[i].Name && (up == "" || up == names[i].Written.Up)
	})
	zc := walk.ZipEntryChecks{At: b.archiveName(at), Done: "inventoried", Overlap: release.ZipOverlaps(len(spans), span, size), Local: local, Fold: ff.Hit}
	var out []zipListed
	zc.Walk(files, 0, at, walk.ZipVisitor{
		Finding: func(f signing.Finding) { b.inv.Findings = append(b.inv.Findings, f) },
		Link:    func(name, target string) { b.symlink(at, name, target, "the archive") },
		File: func(k int, zf *zip.File, name, _ string) {
			out = append(out, zipListed{zf: zf, name: name, off: spans[k].Off})
		},
		Names: names,
	})
	return out
}

// archiveName names the archive at report path at (the release's own
// archive when at is "") in findings.
func (b *builder) archiveName(at string) string {
	if at == "" {
		return filepath.Base(b.root)
	}
	return at
}
