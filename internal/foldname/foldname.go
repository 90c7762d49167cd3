// Package foldname gives the key under which a case-insensitive,
// normalization-insensitive file system finds a name, so that archives
// and installers can report entries that are one file once extracted.
//
// The key is APFS's canonical caseless match (the Unicode Standard's D145:
// canonical decomposition, full case folding, decomposition again). It puts
// together what NTFS's and HFS+'s simpler case tables do and more: "App.dll"
// and "app.dll", "Lib/x" and "lib/x", "café" written with U+00E9 and with
// "e" and U+0301, and names that lower-casing keeps apart but folding does
// not ("µ" and "μ", "ſ" and "s", "ς" and "σ", "ß" and "ss"). HFS+'s own
// table differs in places (see hfsplus.FoldName).
package foldname

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Key returns name's APFS caseless-match key. An ASCII name is lowered
// without the Unicode tables, and one already in lower case is its own key,
// without allocating.
func Key(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			// A Caser may keep state: one per call, as callers run in
			// parallel.
			return norm.NFD.String(cases.Fold().String(norm.NFD.String(name)))
		}
	}
	return strings.ToLower(name)
}
