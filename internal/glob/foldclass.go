package glob

import (
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/foldname"
)

// classesKeepWidth reports whether every character the bracket classes of
// glob g name stays one character under file system fs's key (composed,
// see composedKeys). A key folds some characters to several (APFS folds
// `ß` to `ss` and `ﬁ` to `fi`) or to none (HFS+ drops U+200C), which in a
// class means other characters: `[ß]` keyed is `[ss]`, which takes the
// `s` of `s.dll`, another file on every file system, where it stood for
// the one character `ß`. A glob with such a class is not matched under
// that key (NTFS, which folds one character to one, still matches `ß.dll`).
func classesKeepWidth(g string, fs foldname.FS) bool {
	in := false
	for i := 0; i < len(g); {
		r, n := utf8.DecodeRuneInString(g[i:])
		i += n
		switch {
		case r == '\\' && i < len(g):
			r, n = utf8.DecodeRuneInString(g[i:])
			i += n
			if in && !keepsWidth(r, fs) {
				return false
			}
		case !in && r == '[':
			in = true
		case in && r == ']':
			in = false
		case in && !keepsWidth(r, fs):
			return false
		}
	}
	return true
}

// keepsWidth reports whether r's key on fs is one character.
func keepsWidth(r rune, fs foldname.FS) bool {
	if r < utf8.RuneSelf {
		return true
	}
	return utf8.RuneCountInString(composedKeys(string(r))[fs]) == 1
}
