package container

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// The other Windows Installer files are OLE compound files signed as an
// MSI is (the digest over their streams and storages), and carry code
// where the Media table of an MSI does not name it:
//
//   - a merge module (.msm, a database with a ModuleSignature table) keeps
//     its files in the stream MergeModule.CABinet, named by its File
//     table's keys; a merge tool copies them into the MSI's cabinet;
//   - a patch (.msp) keeps the cabinets of the files it updates as streams
//     of its root, which the Media rows of the transforms it holds (its
//     storages) name;
//   - a transform (.mst) holds the changes to a database's tables, and
//     the streams it adds (a Binary row's custom action), but no tables of
//     its own to read.

// familyCabinets walks the cabinets a merge module or a patch keeps
// outside the Media table ([msi.Database.FamilyCabinets]), marking their
// streams used: a merge module's under at/MergeModule.CABinet with its
// files' installed paths and checked against the File table as an MSI's
// are, a patch's under at/<stream> by their names in the cabinet (the
// File table that names them is the target product's).
func (w *walker) familyCabinets(db *msi.Database, paths map[string]string, used map[*msi.Stream]bool) {
	for _, s := range db.FamilyCabinets() {
		if used[s] {
			continue
		}
		used[s] = true
		at := release.JoinPath(w.at, PathElem(s.Name))
		if db.Module() {
			w.embeddedCab(db, s, at, paths, db.FileChecks(), used)
		} else {
			w.embeddedCab(db, s, at, nil, nil, used)
		}
	}
}

// embeddedCab walks the cabinet in stream s of db under at, as an MSI's
// embedded cabinet: paths and checks as for walkCab, and the bytes past
// the cabinet msi/cabinet-trailing-data. A cabinet in a set is joined with
// the set's other cabinets (see embeddedSet) and the set walked once,
// under its first cabinet's name; used gets the streams of the set.
func (w *walker) embeddedCab(db *msi.Database, s *msi.Stream, at string, paths map[string]string, checks map[string]msi.FileCheck, used map[*msi.Stream]bool) {
	if w.setStreams[s] {
		return // walked, and its trailing bytes checked, with its set
	}
	ra := ctxReaderAt{w.ctx, db.ReaderAt(s)}
	cr, err := cab.NewReader(ra, s.Entry.Size)
	if err != nil {
		if w.ctx.Err() == nil {
			w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("embedded cabinet cannot be read, so its files were not checked: %v", err))
		}
		return
	}
	set, members, external := w.embeddedSet(db, cr, s, at)
	if set == nil {
		w.walkCab(cr, at, paths, checks)
		w.cabTrailing(ra, s.Entry.Size, at, RuleMSICabinetTrailing)
		return
	}
	defer set.done()
	if w.setStreams == nil {
		w.setStreams = map[*msi.Stream]bool{}
	}
	head := release.JoinPath(w.at, PathElem(set.names[0]))
	if external {
		// A member beside the MSI: the set has an outermost archive's
		// budget of its size, as an external set has.
		w.walkCabSet(set, head, paths, checks)
	} else {
		w.walkCab(set.r, head, paths, checks)
	}
	for _, m := range members {
		used[m], w.setStreams[m] = true, true
		w.cabTrailing(ctxReaderAt{w.ctx, db.ReaderAt(m)}, m.Entry.Size, release.JoinPath(w.at, PathElem(m.Name)), RuleMSICabinetTrailing)
	}
}

// embeddedSet joins the set the cabinet cr, embedded in stream s of db, is
// in, as Windows Installer finds a set's cabinets: each one the previous
// or next names is a stream of the database by that name, else a file
// beside the MSI (the visitor's Cabinet). It returns nil when cr is in no
// set, or when the set cannot be joined (reported as cab/not-opened at
// at); else the set, the database's streams in it (s among them), and
// whether a member lies beside the MSI.
func (w *walker) embeddedSet(db *msi.Database, cr *cab.Reader, s *msi.Stream, at string) (*cabSet, []*msi.Stream, bool) {
	members, external := []*msi.Stream{s}, false
	open := func(n string) (io.ReaderAt, int64, io.Closer, error) {
		if m := db.Stream(n); m != nil && !m.Table {
			members = append(members, m)
			return db.ReaderAt(m), m.Entry.Size, io.NopCloser(nil), nil
		}
		if w.v.Cabinet == nil {
			return nil, 0, nil, fmt.Errorf("%q is no stream of the MSI, and the files beside the MSI cannot be seen: %w", n, fs.ErrNotExist)
		}
		external = true
		return w.v.Cabinet(n)
	}
	set := w.joinCabSetWith(cr, s.Name, s.Entry.Size, at, open)
	if set == nil {
		return nil, nil, false
	}
	slices.SortFunc(members, func(a, b *msi.Stream) int { return strings.Compare(a.Name, b.Name) })
	return set, slices.Compact(members), external
}

// walkTransform walks a transform (.mst), the compound file cf: the
// streams it adds are handed over as files, its table changes noted as
// not checked.
func (w *walker) walkTransform(cf *cfb.File) {
	w.add(RuleUncheckedArchive, signing.SeverityNote, w.at, "the file is a Windows Installer transform: the changes it makes to a database's tables (custom actions among them) are covered by its signature alone and were not checked; the streams it adds were checked as files")
	w.storageFiles(cf, cf.Root(), w.at, true)
}
