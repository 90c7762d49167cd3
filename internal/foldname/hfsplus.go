package foldname

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// hfsPlusKey returns name as macOS finds it on case-insensitive HFS+: in
// canonical decomposition (NFD: the volume stores names decomposed and
// macOS decomposes the name it looks up), lower case, without the
// characters its comparison ignores (TN1150's FastUnicodeCompare). Its
// lower-case table is Unicode 2.0's: it folds the Georgian capitals
// U+10A0–U+10C5 onto U+10D0–U+10F5, where unicode.ToLower (Unicode 4.1 on)
// gives U+2D00–U+2D25. Where ToLower folds what the table does not (a
// later case pair), two names are reported that macOS keeps apart: a false
// finding, not a miss.
func hfsPlusKey(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x200c && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x206a && r <= 0x206f, r == 0xfeff:
			return -1
		case r >= 0x10a0 && r <= 0x10c5:
			return r + 0x30
		}
		return unicode.ToLower(r)
	}, norm.NFD.String(name))
}
