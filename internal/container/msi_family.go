package container

import (
	"fmt"

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
			w.embeddedCab(db, s, at, paths, db.FileChecks())
		} else {
			w.embeddedCab(db, s, at, nil, nil)
		}
	}
}

// embeddedCab walks the cabinet in stream s of db under at, as an MSI's
// embedded cabinet: paths and checks as for walkCab, and the bytes past
// the cabinet msi/cabinet-trailing-data.
func (w *walker) embeddedCab(db *msi.Database, s *msi.Stream, at string, paths map[string]string, checks map[string]msi.FileCheck) {
	ra := ctxReaderAt{w.ctx, db.ReaderAt(s)}
	cr, err := cab.NewReader(ra, s.Entry.Size)
	if err != nil {
		if w.ctx.Err() == nil {
			w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("embedded cabinet cannot be read, so its files were not checked: %v", err))
		}
		return
	}
	w.walkCab(cr, at, paths, checks)
	w.cabTrailing(ra, s.Entry.Size, at, RuleMSICabinetTrailing)
}

// walkTransform walks a transform (.mst), the compound file cf: the
// streams it adds are handed over as files, its table changes noted as
// not checked.
func (w *walker) walkTransform(cf *cfb.File) {
	w.add(RuleUncheckedArchive, signing.SeverityNote, w.at, "the file is a Windows Installer transform: the changes it makes to a database's tables (custom actions among them) are covered by its signature alone and were not checked; the streams it adds were checked as files")
	w.storageFiles(cf, cf.Root(), w.at, true)
}
