package sbom

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
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
// about their names under at: each entry under the name unzip, 7-Zip and
// bsdtar write it as (zipname.go); every entry of a name held twice, each
// with its own digest, as verify checks every one (release.ZipDuplicateMessage:
// file/duplicate-entry, once a name);
// an entry whose local header names it otherwise than its central record,
// or gives another compression method or compressed size
// (release.ZipLocalHeaders, as verify finds it: file/malformed), listed
// under the central name; names that are one on a case-insensitive file
// system (file/name-collision); names that leave the archive
// (file/insecure-path), not listed; the structural checks of
// release/zipentry.go that verify makes too: a folder that holds data
// (file/malformed), a link out of the archive (file/symlink-escape),
// entries whose data overlaps another's (file/malformed) and encrypted
// entries (file/unreadable), none listed; a local header the central
// directory does not list (file/zip-unlisted-entry), looked for from
// offset from on (0, or the end of the archive before, concatenated after
// a PE and listed on its own). Folders and symbolic links are not listed.
func (b *builder) zipFiles(files []*zip.File, ra io.ReaderAt, size int64, at string, from int64) []zipListed {
	// Names that are one on a case-insensitive file system: the filter's
	// first pass keeps hashes, not names, so that only the few that may
	// collide reach the set.
	ff := foldname.NewFilter(len(files))
	names := make([]release.ZipEntryName, len(files))
	for i, zf := range files {
		names[i] = release.ZipInstalledName(zf)
		if name, ok := release.CleanName(names[i].Windows); ok && name != "" {
			ff.Add(name, zipIsDir(zf, names[i]))
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
		return release.ZipLocalEntry{DataOffset: spans[i].Off, Compressed: spans[i].Comp, Method: files[i].Method}
	}, ra, size, func(i int, name []byte, up string) bool {
		// A Unicode Path field both headers carry, or the central
		// record alone, is reported once, by reportZipName.
		return string(name) == files[i].Name && (up == "" || up == names[i].Up)
	})
	overlap := release.ZipOverlaps(len(spans), span, size)
	folds := foldname.NewSet(foldname.All)
	seen := map[string]int{} // file entries met so far, by name
	var out []zipListed
	for i, zf := range files {
		zn := names[i]
		b.reportZipName(zf, zn, at)
		name, ok := release.CleanName(zn.Name)
		if !ok {
			b.finding(release.RuleInsecurePath, signing.SeverityError, at, fmt.Sprintf("zip entry %q is not a relative path inside the archive; it was not inventoried", zn.Name))
			continue
		}
		p := release.JoinPath(at, name)
		dir := zipIsDir(zf, zn)
		if wn, _ := release.CleanName(zn.Windows); wn != "" && ff.Hit(wn) {
			for _, c := range folds.Add(wn, dir) {
				b.finding(release.RuleNameCollision, signing.SeverityWarning, p, c.Message("zip", b.archiveName(at), wn))
			}
		}
		if why, ok := local[i]; ok {
			b.finding(release.RuleMalformed, signing.SeverityError, p, why.Message(zf.Name, "inventoried"))
		}
		switch {
		case dir && release.ZipDirHasData(zf):
			b.finding(release.RuleMalformed, signing.SeverityError, p, release.ZipDirDataMessage(zf, "inventoried"))
			continue
		case name == "" || dir:
			continue
		case zf.Mode()&fs.ModeSymlink != 0:
			b.zipLink(zf, name, p)
			continue
		}
		if zf.Mode().IsRegular() {
			b.setuid(p, "zip", zf.Mode())
			b.writable(p, "zip", zf.Mode(), nil)
		}
		if seen[name] == 1 { // once a name, as verify's report has it
			b.finding(release.RuleDuplicateEntry, signing.SeverityError, p, release.ZipDuplicateMessage(b.archiveName(at), name, "inventoried"))
		}
		seen[name]++
		switch {
		case overlap[i]:
			b.finding(release.RuleMalformed, signing.SeverityError, p, release.ZipOverlapMessage(zf.Name, "inventoried"))
			continue
		case release.ZipEncrypted(zf):
			b.finding(release.RuleUnreadable, signing.SeverityError, p, release.ZipEncryptedMessage("inventoried"))
			continue
		}
		out = append(out, zipListed{zf: zf, name: name, off: spans[i].Off})
	}
	return out
}

// zipLink reports the symbolic link entry zf, named name in its archive (at
// report path p), when its target is unreadable or leaves the archive
// (file/symlink-escape, as verify reports it). Links are not listed: what
// they point to inside the archive is listed under its own name.
func (b *builder) zipLink(zf *zip.File, name, p string) {
	target, err := release.ZipLinkTarget(zf)
	switch {
	case errors.Is(err, release.ErrLinkUnreadable):
		b.finding(release.RuleUnreadable, signing.SeverityError, p, err.Error())
	case err != nil:
		b.finding(release.RuleMalformed, signing.SeverityError, p, err.Error())
	case release.LinkEscapes(name, target):
		b.finding(RuleSymlinkEscape, signing.SeverityError, p, fmt.Sprintf("symbolic link to %q points outside the release; its target is not inventoried", target))
	}
}

// zipIsDir reports whether the entry zf, written as z, is a folder.
func zipIsDir(zf *zip.File, z release.ZipEntryName) bool {
	return zf.Mode().IsDir() || strings.HasSuffix(z.Name, "/")
}

// archiveName names the archive at report path at (the release's own
// archive when at is "") in findings.
func (b *builder) archiveName(at string) string {
	if at == "" {
		return filepath.Base(b.root)
	}
	return at
}
