package verify

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// foldName returns the key under which a case-insensitive file system
// finds the archive path name: APFS's canonical caseless match (the
// Unicode Standard's D145: canonical decomposition, full case folding,
// decomposition again), which puts together what NTFS's and HFS+'s
// simpler case tables do and more ("ß" and "ss", "µ" and "μ"). Two
// entries of one key but different names are one file once extracted on
// macOS, and on Windows for the common cases: "App.dll" and "app.dll",
// "Lib/x" and "lib/x", "café" written with U+00E9 and with "e" and
// U+0301. An ASCII name is lowered without the Unicode tables, and one in
// lower case is its own key, without allocating.
func foldName(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			// A Caser may keep state: one per call, as walks run in
			// parallel.
			return norm.NFD.String(cases.Fold().String(norm.NFD.String(name)))
		}
	}
	return strings.ToLower(name)
}

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
