package container

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// msiStorages walks the root storages of the database db of cf, each under
// w.at/<storage>:
//
//   - a storage a type 7 custom action installs (a concurrent
//     installation), or of a database's or patch's class, is opened as a
//     database and walked as the MSI is, one level deeper; one of a
//     database's class that no custom action installs is
//     msi/unreferenced-data as well;
//   - an embedded transform is listed (msi/embedded-transform), the
//     streams it adds handed over as files;
//   - any other storage is msi/unknown-storage, every stream in it (and
//     in the storages it holds) handed over as a file.
//
// A type 7 custom action whose storage is not there is
// msi/missing-stream. The _Storages table is no check: Windows Installer
// makes it, when queried, from the root storages themselves, so that it
// lists every one.
func (w *walker) msiStorages(cf *cfb.File, db *msi.Database) {
	installs := map[*msi.Storage][]string{}
	for _, n := range db.NestedInstalls() {
		if n.Storage == nil {
			w.add(RuleMSIMissingStream, signing.SeverityError, release.JoinPath(w.at, PathElem(n.Source)), fmt.Sprintf("custom action %q (type 7) installs the database stored as %q, a storage the MSI does not hold: the nested installation fails", n.Action, n.Source))
			continue
		}
		installs[n.Storage] = append(installs[n.Storage], n.Action)
	}
	if len(db.Storages) == 0 {
		return
	}
	taken := msiElems(db)
	for _, st := range db.Storages {
		if w.ctx.Err() != nil {
			return
		}
		elem := PathElem(st.Name)
		at := release.JoinPath(w.at, elem)
		if taken[elem] {
			alt := release.JoinPath(w.at, "_Storages/"+elem)
			w.add(release.RuleDuplicateEntry, signing.SeverityError, at, fmt.Sprintf("the MSI's storage %q has the name of one of its cabinets or tables; what it holds is reported under %s", st.Name, alt))
			at = alt
		}
		acts := installs[st]
		switch cls := st.Class(); {
		case len(acts) > 0 || cls == msi.StorageDatabase || cls == msi.StoragePatch:
			if len(acts) == 0 {
				w.add(RuleMSIUnreferencedData, signing.SeverityWarning, at, fmt.Sprintf("the MSI holds a %s in the storage %q that no custom action installs (type 7): Windows Installer does not install it, but a custom action can read it; it was opened as a nested database", cls, st.Name))
			}
			w.nestedDB(cf, st, at, acts)
		case cls == msi.StorageTransform:
			w.add(RuleMSIEmbeddedTransform, signing.SeverityNote, at, fmt.Sprintf("the MSI holds the embedded transform %q, applied to an installation whose TRANSFORMS property names \":%s\": the changes it makes to the tables were not checked, the streams it adds were checked as files", st.Name, st.Name))
			w.storageFiles(cf, st.Entry, at, true)
		default:
			w.add(RuleMSIUnknownStorage, signing.SeverityWarning, at, fmt.Sprintf("the MSI holds the storage %q, of class %x, which is neither a Windows Installer database nor a transform and which no custom action installs: Windows Installer does not read it, but a custom action can; its streams were checked as files", st.Name, st.Entry.CLSID))
			w.storageFiles(cf, st.Entry, at, false)
		}
	}
}

// nestedDB walks the database in storage st under report path at, as the
// MSI is walked, one level deeper, after handing it to
// Visitor.SignedDatabase when it is signed; acts are the custom actions
// that install it. A storage that cannot be read as a database has its streams
// handed over as files.
func (w *walker) nestedDB(cf *cfb.File, st *msi.Storage, at string, acts []string) {
	if d := w.v.Depth + w.nested + 1; d >= release.MaxDepth {
		w.add(release.RuleUnreadable, signing.SeverityError, at, fmt.Sprintf("database nested %d levels deep; its files were not checked", d))
		return
	}
	storage := append(slices.Clone(w.storage), st.Entry.Name)
	if signedStorage(cf, st.Entry) {
		w.v.SignedDatabase(SignedDatabase{Path: at, Storage: storage, Nested: w.nested})
	}
	db, err := msi.OpenStorage(cf, st.Entry)
	if err != nil {
		what := "it is of a database's class"
		if len(acts) > 0 {
			what = fmt.Sprintf("custom action %q installs it", acts[0])
		}
		w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("the storage %q cannot be read as a Windows Installer database, though %s: %v; its streams were checked as files", st.Name, what, err))
		w.storageFiles(cf, st.Entry, at, false)
		return
	}
	sub := &walker{ctx: w.ctx, at: at, x: w.x, v: w.v, nested: w.nested + 1, storage: storage, handed: w.handed}
	sub.walkDB(cf, db)
}

// signedStorage reports whether storage st of cf holds a DigitalSignature
// stream: a database signed on its own.
func signedStorage(cf *cfb.File, st *cfb.Entry) bool {
	for _, k := range cf.Children(st) {
		if k.Type == cfb.TypeStream && k.Name == "\x05DigitalSignature" {
			return true
		}
	}
	return false
}

// storageFiles hands over every stream of storage st (in the order of
// their decoded names) as a file under at/<name>, and those of the
// storages it holds under at/<storage>/<name>. For a transform the
// tables' streams and the summary information, which are not files it
// adds, are left out.
func (w *walker) storageFiles(cf *cfb.File, st *cfb.Entry, at string, transform bool) {
	kids := slices.Clone(cf.Children(st))
	slices.SortFunc(kids, func(a, b *cfb.Entry) int { return strings.Compare(msi.DecodeName(a.Name), msi.DecodeName(b.Name)) })
	for _, k := range kids {
		if w.ctx.Err() != nil {
			return
		}
		name := msi.DecodeName(k.Name)
		p := release.JoinPath(at, PathElem(name))
		switch {
		case k.Type == cfb.TypeStorage:
			w.storageFiles(cf, k, p, false)
		case k.Type != cfb.TypeStream:
		case transform && (strings.HasPrefix(name, "\u4840") || msi.SystemStream(name)):
		default:
			w.entry(p, release.NewSection(cf.ReaderAt(k), 0, k.Size), k.Size)
		}
	}
}

// msiElems are the first elements of the report paths under an MSI's path
// that its walk uses besides its storages': the embedded cabinets', the
// stream-column tables', _Streams and _Storages.
func msiElems(db *msi.Database) map[string]bool {
	m := map[string]bool{"_Streams": true, "_Storages": true}
	for _, s := range db.FamilyCabinets() {
		m[PathElem(s.Name)] = true
	}
	for _, cb := range db.Cabinets() {
		if cb.Embedded {
			m[PathElem(cb.Name)] = true
		}
	}
	for _, p := range db.Payloads() {
		m[PathElem(p.Table)] = true
	}
	return m
}
