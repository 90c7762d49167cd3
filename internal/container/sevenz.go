package container

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"strings"

	"github.com/bodgit/sevenzip"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// open7z hands over the files of the 7-Zip archive the container is
// (electron-builder's app-64.7z inside its NSIS installer), one after the
// other, under the archive's path, within the expansion budget: what the
// folders unpack to, and what the files claim beyond that.
func (w *walker) open7z(ra io.ReaderAt, size int64) {
	a, err := sevenz.Open(ra, size, w.x.Take)
	var fe *sevenz.FormatError
	var ue *sevenz.UnsupportedError
	switch {
	case w.ctx.Err() != nil:
		return
	case errors.As(err, &ue):
		w.add(RuleUncheckedArchive, signing.SeverityWarning, w.at, fmt.Sprintf("7-Zip archive: %v; the files inside were not checked", err))
		return
	case errors.Is(err, sevenz.ErrExpansion):
		w.add(release.RuleUnreadable, signing.SeverityError, w.at, fmt.Sprintf("7-Zip archive unpacks to more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files were not checked", release.ExpansionRatio, int64(release.MinExpansion)))
		return
	case errors.As(err, &fe):
		f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, fmt.Sprintf("7-Zip archive cannot be read, so its files were not checked: %v", err))
		f.Path = w.at
		if !fe.InHeader {
			off := fe.Offset
			f.Offset = &off
		}
		w.v.Finding(f)
		return
	case err != nil:
		w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("7-Zip archive cannot be read, so its files were not checked: %v", err))
		return
	}
	// The files' sizes count too, where they claim more than the folders.
	var total int64
	for _, f := range a.File {
		total += int64(min(f.UncompressedSize, 1<<50))
	}
	if total > a.Unpacked && !w.x.Take(total-a.Unpacked) {
		w.add(release.RuleUnreadable, signing.SeverityError, w.at, fmt.Sprintf("7-Zip archive's files claim %d bytes, more than the archives nested here may expand to; its files were not checked", total))
		return
	}
	seen := map[string]bool{}
	// A 7-Zip archive may be extracted on any system.
	folds := foldname.NewSet(foldname.All)
	for _, f := range a.File {
		if w.ctx.Err() != nil {
			return
		}
		// 7-Zip tells a folder by its having no data, whatever its
		// attributes say; the reader goes by the attributes (and adds a
		// "/" to the name).
		dirData := f.FileInfo().IsDir() && f.UncompressedSize > 0
		if f.FileInfo().IsDir() && !dirData {
			if name, ok := Clean7zName(f.Name); ok {
				w.collide(folds, "7-Zip", name, true, release.JoinPath(w.at, name))
			}
			continue
		}
		name, ok := Clean7zName(f.Name)
		if !ok {
			w.add(release.RuleInsecurePath, signing.SeverityError, w.at, fmt.Sprintf("7-Zip archive entry %q is not a relative path inside the archive; it was not checked", f.Name))
			continue
		}
		p := release.JoinPath(w.at, name)
		if dirData {
			w.add(release.RuleMalformed, signing.SeverityError, p, fmt.Sprintf("7-Zip archive entry %q is marked as a folder (attributes 0x%08x) but holds %d bytes, which 7-Zip writes as a file; it was checked as one", strings.TrimSuffix(f.Name, "/"), f.Attributes, f.UncompressedSize))
		}
		if seen[p] && !w.handed.reported[p] {
			// Every copy is handed over (see handed).
			w.add(release.RuleDuplicateEntry, signing.SeverityError, p, fmt.Sprintf("7-Zip archive %s holds more than one entry named %q; tools disagree on which one is extracted, so every copy was checked", w.at, f.Name))
			w.duplicateReported(p)
		}
		seen[p] = true
		w.collide(folds, "7-Zip", name, false, p)
		if f.UncompressedSize > 1<<50 {
			w.add(release.RuleMalformed, signing.SeverityError, p, fmt.Sprintf("7-Zip archive entry claims an uncompressed size of %d bytes", f.UncompressedSize))
			continue
		}
		// Set-ID bits and world write, as bsdtar -p installs them.
		if m, ok := sevenZipMode(&f.FileHeader); ok {
			for _, pf := range walk.PermFindings(p, "7-Zip", m, nil) {
				w.v.Finding(pf)
			}
		}
		if f.FileInfo().Mode()&iofs.ModeSymlink != 0 && w.v.Link != nil {
			w.link7z(f, name, p)
			continue
		}
		w.entry(p, release.Func(f.Open), int64(f.UncompressedSize))
	}
}

// maxLinkTarget bounds the target of a 7-Zip archive's symbolic link.
const maxLinkTarget = 4096

// link7z hands the symbolic link f, at name in the archive (report path
// p), to the visitor with its target.
func (w *walker) link7z(f *sevenzip.File, name, p string) {
	rc, err := f.Open()
	if err != nil {
		w.add(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("cannot read the 7-Zip archive's symbolic link entry: %v", err))
		return
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil || len(b) > maxLinkTarget {
		w.add(release.RuleMalformed, signing.SeverityError, p, "the 7-Zip archive's symbolic link entry has an unreadable or oversized target")
		return
	}
	w.v.Link(name, string(b))
}

// Clean7zName returns a 7-Zip archive entry's name as a relative report
// path: split at "/" and "\" (7-Zip archives made on Windows use either),
// empty and "." elements dropped, each element escaped as MSI names are
// (see [PathElem]). ok is false for a name with a ".." element or none
// left.
func Clean7zName(n string) (string, bool) {
	var els []string
	for _, e := range strings.FieldsFunc(n, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch e {
		case ".":
			continue
		case "..":
			return "", false
		}
		els = append(els, PathElem(e))
	}
	return strings.Join(els, "/"), len(els) > 0
}
