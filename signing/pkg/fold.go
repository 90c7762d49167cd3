package pkg

import (
	"github.com/shipgate/shipgate/internal/foldname"
)

// foldName returns the key under which APFS finds name (foldname.Key):
// two entries of one key are one file once installed, the later replacing
// the earlier.
var foldName = foldname.Key

// foldKeys returns the keys under which name collides with another on the
// volumes a package installs onto (foldname.KeysOf): APFS's (foldName) and
// HFS+'s (its Unicode 2.0 lower-case table, which folds the Georgian
// capitals onto U+10D0, and the characters it ignores, such as U+200D).
// The two rules differ, so names are one file when either key is shared.
// Windows' key is not used: a package is installed by macOS.
func foldKeys(name string) [2]string {
	k := foldname.KeysOf(name)
	return [2]string{"apfs:" + k[foldname.APFS], "hfs+:" + k[foldname.HFSPlus]}
}

// foldedSibling returns the name already in folded that collides with
// name by one of foldKeys, or "".
func foldedSibling(folded map[string]string, name string) string {
	for _, k := range foldKeys(name) {
		if o := folded[k]; o != "" {
			return o
		}
	}
	return ""
}

// addFolded records name in folded under each of its foldKeys.
func addFolded(folded map[string]string, name string) {
	for _, k := range foldKeys(name) {
		folded[k] = name
	}
}
