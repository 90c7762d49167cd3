package verify

import (
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/walk"
)

// foldName returns the key under which APFS finds the archive path name
// (foldname.Key).
var foldName = foldname.Key

// linkKey returns the key under which a link's target finds a file or a
// link on a case-insensitive file system (walk.LinkKey).
func linkKey(p string) string { return walk.LinkKey(p) }
