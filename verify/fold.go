package verify

import (
	"fmt"

	"github.com/shipgate/shipgate/internal/foldname"
)

// foldName returns the key under which a case-insensitive file system
// finds the archive path name (foldname.Key).
var foldName = foldname.Key

// nameCollisionMessage is the finding on the entry name of the archive at
// whose path differs from the earlier entry first's only in case or
// Unicode normalization.
func nameCollisionMessage(kind, at, name, first string) string {
	return fmt.Sprintf("%s archive %s holds entries %q and %q, whose names differ only in case or Unicode normalization (NFC/NFD): extracted on Windows or macOS they are one file, the later replacing the earlier", kind, at, first, name)
}

// foldSet finds the entries of an archive whose names collide on a
// case-insensitive file system.
type foldSet struct {
	first map[string]string // folded name → the first entry's name
	seen  map[string]bool   // the names added
}

func newFoldSet() *foldSet {
	return &foldSet{first: map[string]string{}, seen: map[string]bool{}}
}

// add records the entry name and returns the name of an earlier entry
// that differs from it only in case or Unicode normalization, if any. An
// exact duplicate of an earlier name (which its own finding reports) and a
// name already reported return "".
func (s *foldSet) add(name string) string {
	k := foldName(name)
	first, ok := s.first[k]
	if !ok {
		s.first[k] = name
	}
	if s.seen[name] {
		return ""
	}
	s.seen[name] = true
	if ok && first != name {
		return first
	}
	return ""
}
