package sbom

import (
	"encoding/hex"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/sbom/asar"
)

// openedAsar is an asar archive whose entries the inventory lists under
// at, its report path, but for its unpacked files, which are the
// release's own files at their paths on disk (app.asar.unpacked/b.js), as
// verify checks them.
type openedAsar struct {
	at string
	ar *asar.Reader
}

// matchUnpacked compares each unpacked file of the opened asars (b.asars)
// with the file listed at its path on disk, as verify does
// (walk.UnpackedFindings: missing, of another size or with other bytes
// than its header's integrity), and gives each such file its path as the
// asar's entry (entryPath), by which it belongs to the asar's npm
// packages and application, as it did when read through the archive. It
// runs once every file is hashed.
func (b *builder) matchUnpacked() {
	if len(b.asars) == 0 {
		return
	}
	// The files are indexed by path only when an asar has unpacked
	// files: most have none, and most entries are packed.
	var byPath map[string]*item
	lookup := func(p string) *item {
		if byPath == nil {
			byPath = make(map[string]*item, len(b.items))
			for _, it := range b.items {
				byPath[it.path] = it
			}
		}
		return byPath[p]
	}
	listed := func(p string) (int64, []byte, bool) {
		it := lookup(p)
		if it == nil || it.link != "" {
			return 0, nil, false
		}
		sum := make([]byte, 32) // an unreadable file's, as verify's zero digest
		if s, err := hex.DecodeString(it.sha256); err == nil && len(s) == len(sum) {
			sum = s
		}
		return it.size, sum, true
	}
	for _, a := range b.asars {
		b.inv.Findings = append(b.inv.Findings, walk.UnpackedFindings(a.ar, a.at, listed)...)
		a.ar.Walk(func(e *asar.Entry) error {
			if e.Kind != asar.KindFile || !e.Unpacked {
				return nil
			}
			if it := lookup(walk.UnpackedPath(a.at, e.Path)); it != nil {
				it.entryPath = release.JoinPath(a.at, e.Path)
			}
			return nil
		})
	}
}

// owned returns the path by which it belongs to an npm package or the
// application: its path as an asar's entry for an unpacked file
// (entryPath), else its path.
func (it *item) owned() string {
	if it.entryPath != "" {
		return it.entryPath
	}
	return it.path
}
