package git

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/glob"
)

// foldPath is the key under which paths are compared when the policy folds
// them (Policy.CaseSensitivePaths unset): glob.Fold (case, and NFC and NFD
// spellings, as APFS and HFS+ find names) of the path without the spaces
// and dots that end its elements (trimWin32) and the code points HFS+
// ignores in names (U+200C–U+200F, U+202A–U+202E,
// U+206A–U+206F, U+FEFF; TN1150's FastUnicodeCompare). On such a volume
// "vendor/ff\u200cmpeg" is the directory vendor/ffmpeg, so a change under
// it is a change to vendor/ffmpeg.
//
// The ignorable code points go before the dots and spaces: on HFS+
// "lib. \ufeff" is "lib. ", which Windows, where the rule's "lib. " is
// lib, writes as lib; the key of each is lib.
func foldPath(s string) string { return glob.Fold(trimWin32(dropIgnorable(s))) }

// winPath returns the path s as Windows reads it: a backslash is a
// separator (tar and 7-Zip on Windows write "vendor\x.c" as vendor/x.c),
// empty elements go (repeated separators are one, as Win32 path
// normalization makes them, and tar and 7-Zip strip a leading one, as
// they strip a root: "a/\vendor/x.c" and "\vendor/x.c" are a/vendor/x.c
// and vendor/x.c), and the dots and spaces that end an element go
// (trimWin32).
func winPath(s string) string {
	if strings.Contains(s, "\\") {
		els := strings.Split(strings.ReplaceAll(s, "\\", "/"), "/")
		s = strings.Join(slices.DeleteFunc(els, func(e string) bool { return e == "" }), "/")
	}
	return trimWin32(s)
}

// winSpan reports how many of the prefix elements rest (folded, as
// pathKey makes them) the tree entry name, whose first element foldEqual
// took for rest[0], stands for on Windows, where each backslash is a
// separator and empty elements go (see winPath): all of rest when name
// reaches past them, none for a name made only of backslashes, and false
// when an element after the first is not rest's.
func winSpan(name string, rest []string) (int, bool) {
	if !strings.Contains(name, "\\") {
		return 1, true
	}
	els := slices.DeleteFunc(strings.Split(name, "\\"), func(e string) bool { return e == "" })
	for i := 1; i < len(els) && i < len(rest); i++ {
		if !foldEqual([]byte(els[i]), rest[i], true) {
			return 0, false
		}
	}
	return min(len(els), len(rest)), true
}

// trimWin32 returns the path s with the spaces and dots that end each
// element removed, as Win32 path normalization removes them (NTFS opens
// "vendor. " as "vendor"): tar and 7-Zip on Windows, and git with
// core.protectNTFS off, write "vendor./x.c" into vendor. An element made
// only of dots and spaces is kept.
func trimWin32(s string) string {
	if !strings.Contains(s, ".") && !strings.Contains(s, " ") {
		return s
	}
	els := strings.Split(s, "/")
	for i, el := range els {
		if t := strings.TrimRight(el, ". "); t != "" {
			els[i] = t
		}
	}
	return strings.Join(els, "/")
}

// winGlob returns the glob g with the spaces and dots that end each
// element removed, as trimWin32 removes them from paths: the rule
// "vendor./x/**" names vendor/x on Windows, where no written name ends in
// a dot or space. An element the trim would empty, or leave ending in an
// escaping backslash, is kept.
func winGlob(g string) string {
	if !strings.Contains(g, ".") && !strings.Contains(g, " ") {
		return g
	}
	els := strings.Split(g, "/")
	for i, el := range els {
		if t := strings.TrimRight(el, ". "); t != "" && !strings.HasSuffix(t, "\\") {
			els[i] = t
		}
	}
	return strings.Join(els, "/")
}

// pathKey is the key under which names are compared: foldPath's with
// fold, else the NFC spelling (APFS and HFS+ find NFC and NFD spellings
// as one name even on a case-sensitive volume).
func pathKey(s string, fold bool) string {
	if fold {
		return foldPath(s)
	}
	return nfc(s)
}

// nfc returns s in NFC, without allocating for ASCII.
func nfc(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.String(s)
		}
	}
	return s
}

// dropIgnorable returns s without the code points HFS+ ignores.
func dropIgnorable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if hfsIgnorable(r) {
					return -1
				}
				return r
			}, s)
		}
	}
	return s
}

// hfsIgnorable reports whether HFS+ name comparison skips r.
func hfsIgnorable(r rune) bool {
	return r >= 0x200c && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x206a && r <= 0x206f || r == 0xfeff
}
