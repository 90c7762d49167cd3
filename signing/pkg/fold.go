package pkg

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
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
