package pkg

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/hfsplus"
)

// fold is Unicode's full case folding (CaseFolding.txt statuses C and F,
// not the Turkic T); stateless, so safe to share.
var fold = cases.Fold()

// foldName returns the key under which macOS's default volumes (APFS and
// HFS+, case-insensitive and normalization-insensitive) find name: APFS's
// canonical caseless match (the Unicode Standard's D145): its canonical
// decomposition (NFD), case-folded, decomposed again. Two entries of one
// key are one file once installed, the later replacing the earlier: "café"
// written with U+00E9 and with "e" and U+0301 are, as are "App" and "app",
// and names that lower-casing keeps apart but folding does not ("µ" and
// "μ", "ſ" and "s", "ς" and "σ", "ß" and "ss").
func foldName(name string) string {
	return norm.NFD.String(fold.String(norm.NFD.String(name)))
}

// foldKeys returns the keys under which name collides with another on the
// volumes a package installs onto: APFS's (foldName) and HFS+'s
// (hfsplus.FoldName: its Unicode 2.0 lower-case table, which folds the
// Georgian capitals onto U+10D0, and the characters it ignores, such as
// U+200D). The two rules differ, so names are one file when either key is
// shared.
func foldKeys(name string) [2]string {
	return [2]string{"apfs:" + foldName(name), "hfs+:" + hfsplus.FoldName(name)}
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
