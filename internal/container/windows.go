package container

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// openCAB walks the cabinet the container is.
func (w *walker) openCAB(ra io.ReaderAt, size int64) {
	cr, err := cab.NewReader(ra, size)
	if err != nil {
		if w.ctx.Err() == nil {
			w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("cabinet cannot be read, so its files were not checked: %v", err))
		}
		return
	}
	name := path.Base(w.at)
	if s := w.joinCabSet(cr, name, size, w.at); s != nil {
		defer s.done()
		if s.isHead(name) {
			w.walkCabSet(s, w.at, nil, nil)
		}
		// Else the set's files are checked under its first cabinet,
		// a file beside this one walked as a cabinet of its own.
	} else {
		w.walkCab(cr, w.at, nil, nil)
	}
	w.cabTrailing(ra, size, w.at, "")
}

// walkCab hands over the files of cabinet cr, found at report path at;
// paths, when not nil, maps a file's name in the cabinet to its report path
// under at (an MSI's File table keys to installed paths), and checks, when
// not nil, what the MSI's tables say each file holds (see checkFile).
func (w *walker) walkCab(cr *cab.Reader, at string, paths map[string]string, checks map[string]msi.FileCheck) {
	where := func(name string) string {
		if q, ok := paths[name]; ok {
			return release.JoinPath(at, q)
		}
		return release.JoinPath(at, name)
	}
	for _, p := range cr.Problems() {
		wp := at
		if n, ok := cab.CleanName(p.Name); ok && p.Kind != cab.ProblemInsecurePath {
			wp = where(n)
		}
		var f signing.Finding
		switch p.Kind {
		case cab.ProblemInsecurePath:
			f = signing.NewFinding(release.RuleInsecurePath, signing.SeverityError, p.Message)
		case cab.ProblemDuplicate:
			f = signing.NewFinding(release.RuleDuplicateEntry, signing.SeverityError, p.Message)
			w.duplicateReported(wp) // every copy is handed over (see handed)
		case cab.ProblemNotOpened:
			f = signing.NewFinding(RuleCABNotOpened, signing.SeverityError, p.Message)
		case cab.ProblemVersion:
			f = signing.NewFinding(RuleCABVersion, signing.SeverityWarning, p.Message)
		default:
			f = signing.NewFinding(release.RuleMalformed, signing.SeverityError, p.Message)
		}
		f.Path = wp
		off := p.Offset
		f.Offset = &off
		w.v.Finding(f)
	}
	if n := cr.Expansion(); !w.x.Take(n) {
		w.add(release.RuleUnreadable, signing.SeverityError, at, fmt.Sprintf("cabinet's files decompress to %d bytes, more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files were not checked", n, release.ExpansionRatio, int64(release.MinExpansion)))
		return
	}
	seen := map[string]string{} // report path -> the file's name in the cabinet
	// A cabinet's files, or an MSI's, are installed on Windows.
	folds := foldname.NewSet(foldname.Systems(1) << foldname.NTFS)
	err := cr.Walk(func(f *cab.File, r io.Reader) error {
		p, rel := release.JoinPath(at, f.Name), f.Name
		if paths != nil {
			if q, ok := paths[f.Name]; !ok {
				w.add(RuleMSIUnreferencedData, signing.SeverityWarning, p, fmt.Sprintf("cabinet file %q is not in the MSI's File table, so Windows Installer does not install it; it was checked under its name in the cabinet", f.Name))
			} else if prev, dup := seen[release.JoinPath(at, q)]; dup && prev != f.Name {
				w.add(release.RuleDuplicateEntry, signing.SeverityError, release.JoinPath(at, q), fmt.Sprintf("the MSI installs files %q and %q to one path; the second is reported under its key", prev, f.Name))
			} else {
				p, rel = release.JoinPath(at, q), q
			}
			seen[p] = f.Name
		}
		w.collide(folds, "cabinet", rel, false, p)
		if ck, ok := checks[f.Name]; ok {
			w.checkFile(f, ck, p, r)
		} else {
			w.entry(p, release.NewStream(r), f.Size)
		}
		return w.ctx.Err()
	})
	if err != nil && w.ctx.Err() == nil {
		w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("cabinet data cannot be read; the files from there on were not checked: %v", err))
	}
}

// openMSI walks what the Windows Installer database in ra carries.
func (w *walker) openMSI(ra io.ReaderAt, size int64) {
	cf, err := cfb.Open(ra, size)
	if err != nil {
		if w.ctx.Err() == nil {
			w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("compound file cannot be read, so the files it carries were not checked: %v", err))
		}
		return
	}
	if cf.Root().CLSID == msi.TransformCLSID {
		w.walkTransform(cf)
		return
	}
	db, err := msi.Open(cf)
	switch {
	case w.ctx.Err() != nil:
		return
	case errors.Is(err, msi.ErrNotMSI):
		w.add(RuleUncheckedArchive, signing.SeverityWarning, w.at, "compound file has no string pool, so it is no Windows Installer database shipgate can read; the streams inside were not checked")
		return
	case err != nil:
		w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("MSI tables cannot be read, so the files the installer carries were not checked: %v", err))
		return
	}
	w.walkDB(cf, db)
}

// walkDB walks what the database db of cf carries, under w.at: its
// cabinets, stream-column payloads, other streams and storages.
func (w *walker) walkDB(cf *cfb.File, db *msi.Database) {
	used := map[*msi.Stream]bool{}
	paths, bad := db.FilePaths()
	for _, k := range bad {
		w.add(release.RuleInsecurePath, signing.SeverityError, w.at, fmt.Sprintf("the File table's file %q has a name, or a folder in the Directory table, that is not a plain file or folder name (or its folders loop); it is reported under its key", k))
	}
	w.msiCabinets(db, paths, used)
	w.familyCabinets(db, paths, used)
	w.msiPayloads(db, used)
	w.msiRest(db, used)
	w.msiStorages(cf, db)
}

// msiCabinets walks the embedded cabinets the Media table names, marking
// their streams used.
func (w *walker) msiCabinets(db *msi.Database, paths map[string]string, used map[*msi.Stream]bool) {
	cabs := map[*msi.Stream]bool{}
	checks := db.FileChecks()
	external := map[string]bool{}
	for _, cb := range db.Cabinets() {
		at := release.JoinPath(w.at, PathElem(cb.Name))
		switch {
		case !cb.Embedded:
			if !external[cb.Name] {
				external[cb.Name] = true
				w.externalCabinet(cb, at, paths, checks)
			}
			continue
		case cb.Stream == nil:
			w.add(RuleMSIMissingStream, signing.SeverityError, at, fmt.Sprintf("the Media table's disk %d names the embedded cabinet %q, which the database does not hold: the installer cannot install its files", cb.DiskID, cb.Name))
			continue
		case cabs[cb.Stream]:
			continue // two Media rows, one cabinet
		}
		cabs[cb.Stream] = true
		used[cb.Stream] = true
		w.embeddedCab(db, cb.Stream, at, paths, checks, used)
	}
}

// msiPayloads hands over the streams of the database's stream columns (the
// Binary table's custom actions, icons), marking them used. A stream that
// is both a cabinet and a row's payload (a crafted database) is handed
// over as both.
func (w *walker) msiPayloads(db *msi.Database, used map[*msi.Stream]bool) {
	for _, p := range db.Payloads() {
		rp := release.JoinPath(w.at, PathElem(p.Table)+"/"+PathElem(p.Key))
		if p.Stream == nil {
			w.add(RuleMSIMissingStream, signing.SeverityError, rp, fmt.Sprintf("the %s table's row %q refers to a stream the database does not hold", p.Table, p.Key))
			continue
		}
		used[p.Stream] = true
		n := p.Stream.Entry.Size
		w.entry(rp, release.NewSection(db.ReaderAt(p.Stream), 0, n), n)
	}
}

// msiRest hands over the streams no table refers to (and those whose
// stored name decodes to another's, which no lookup reads: see
// [msi.Database.Shadowed]), and reports what is not opened: inline script
// custom actions.
func (w *walker) msiRest(db *msi.Database, used map[*msi.Stream]bool) {
	for _, s := range db.Streams {
		shadowed := db.Shadowed(s)
		if used[s] || msi.SystemStream(s.Name) && s.Entry.Name == s.Name || (s.Table && !shadowed && (db.Schema[s.Name] != nil || msiCatalog[s.Name])) {
			continue
		}
		what := "stream"
		switch {
		case shadowed && !msi.SystemStream(s.Name):
			// Its stored name is not the packed one of the name it
			// decodes to, under which another stream is opened.
			what = "stream whose stored name decodes to another stream's name (Windows Installer opens the other)"
		case s.Table:
			what = "table stream of a table the schema does not describe"
		}
		rp := release.JoinPath(w.at, "_Streams/"+PathElem(s.Name))
		w.add(RuleMSIUnreferencedData, signing.SeverityWarning, rp, fmt.Sprintf("the MSI holds a %s %q that no table refers to: Windows Installer does not install it, but a custom action can read it; it was checked as a file", what, s.Name))
		n := s.Entry.Size
		w.entry(rp, release.NewSection(db.ReaderAt(s), 0, n), n)
	}
	for _, sc := range db.InlineScripts() {
		w.add(RuleUncheckedArchive, signing.SeverityNote, w.at, fmt.Sprintf("custom action %q runs a %s of %d characters kept in the CustomAction table; it is covered by the MSI's signature alone and was not checked", sc.Action, sc.Language, len(sc.Text)))
	}
}

// msiCatalog are the tables of the database's own catalog, which _Columns
// does not describe.
var msiCatalog = map[string]bool{"_StringPool": true, "_StringData": true, "_Columns": true, "_Tables": true}

// PathElem makes a name from an MSI table one element of a report path:
// "%", "/", "\\", control characters and invalid UTF-8 bytes are escaped
// as %XX, and "", "." and ".." written %00, %2E and %2E%2E, so that
// distinct names stay distinct and none leaves its folder.
func PathElem(s string) string {
	switch s {
	case "":
		return "%00"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '%' || r == '/' || r == '\\' || r < 0x20 || r == 0x7f || (r == utf8.RuneError && n == 1) {
			fmt.Fprintf(&b, "%%%02X", s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
