package authenticode

import (
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
)

// msiUnreferenced returns, by entry index, the non-empty streams of the
// database in storage st that Windows Installer does not open
// ([msi.Database.Unreferenced]) and those of the databases nested in its
// storages, at any depth; of a nested storage that opens as no database,
// every non-empty stream. Without MsiDigitalSignatureEx their names are
// covered by no digest: a stream's tail split off into such streams
// leaves the digest as it was. ok is false when st opens as no database:
// its streams' references are unknown.
func msiUnreferenced(f *cfb.File, st *cfb.Entry) (unref map[int]bool, ok bool) {
	db, err := msi.OpenStorage(f, st)
	if err != nil {
		return nil, false
	}
	unref = map[int]bool{}
	for _, s := range db.Unreferenced() {
		if s.Entry.Size > 0 {
			unref[s.Entry.Index] = true
		}
	}
	for _, sub := range db.Storages {
		nested, ok := msiUnreferenced(f, sub.Entry)
		if !ok {
			nested = map[int]bool{}
			for _, e := range msiSubtree(f, sub.Entry) {
				if e.Type == cfb.TypeStream && e.Size > 0 {
					nested[e.Index] = true
				}
			}
		}
		for i := range nested {
			unref[i] = true
		}
	}
	return unref, true
}
