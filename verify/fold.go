package verify

import "github.com/shipgate/shipgate/internal/foldname"

// foldName returns the key under which APFS finds the archive path name
// (foldname.Key).
var foldName = foldname.Key

// newFoldSet returns the set that finds an archive's entries that are one
// entry once extracted on any of the file systems foldname models.
func newFoldSet() *foldname.Set { return foldname.NewSet(foldname.All) }
