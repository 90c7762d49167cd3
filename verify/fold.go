package verify

import (
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
)

// foldName returns the key under which APFS finds the archive path name
// (foldname.Key).
var foldName = foldname.Key

// newFoldSet returns the set that finds an archive's entries that are one
// entry once extracted on any of the file systems foldname models.
func newFoldSet() *foldname.Set { return foldname.NewSet(foldname.All) }

// linkKey returns the key under which a link's target finds a file or a
// link on a case-insensitive file system (foldName), once each path
// element has lost its trailing dots and spaces as Windows drops them
// (kept whole if nothing else is left, as foldname's NTFS key keeps
// them): "../Other./x.dll" and "../Other /x.dll" reach Other/x.dll there.
// A key's prefix up to a slash is the key of the path's prefix.
func linkKey(p string) string {
	if !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, " ") &&
		!strings.Contains(p, "./") && !strings.Contains(p, " /") {
		return foldName(p)
	}
	elems := strings.Split(p, "/")
	for i, e := range elems {
		if t := strings.TrimRight(e, ". "); t != "" {
			elems[i] = t
		}
	}
	return foldName(strings.Join(elems, "/"))
}
