// Package glob matches "/"-separated paths against the path globs that
// shipgate's policies use: `*`, `?` and `[...]` match within one path element
// as path.Match does, a `**` element matches any number of elements
// (`**/*.dll` matches `x.dll` and `a/b/x.dll`; `*.dll` only matches at the
// top), and a trailing `/` matches everything below (`vendor/` is `vendor/**`).
package glob

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/foldname"
)

// Check reports whether g is a valid glob: not empty, relative, with `**`
// only as a whole element, every element a valid path.Match pattern, and
// none that can never match a release path (empty, ".", "..", a backslash
// used as a separator).
func Check(g string) error {
	if g == "" {
		return errors.New("empty glob")
	}
	if strings.HasPrefix(g, "/") {
		return errors.New("globs are relative to the input; drop the leading /")
	}
	for _, el := range strings.Split(strings.TrimSuffix(g, "/"), "/") {
		switch el {
		case "**":
			continue
		case "", ".", "..":
			// Release paths are clean: such a glob would match nothing,
			// and the rule would silently apply nowhere.
			return fmt.Errorf("element %q never matches: paths are relative, clean and \"/\"-separated", el)
		}
		if i := strings.IndexByte(el, '\\'); i >= 0 && (i+1 == len(el) || !strings.ContainsRune(`*?[]\\-^`, rune(el[i+1]))) {
			return errors.New(`"\\" escapes the next glob character; paths are "/"-separated`)
		}
		if strings.Contains(el, "**") {
			return errors.New(`"**" must be a whole path element`)
		}
		if _, err := path.Match(el, ""); err != nil {
			return err
		}
	}
	return nil
}

// Match reports whether the path p matches the glob g as a whole. A glob
// that ends in "/" names a folder and matches everything below it, as
// `/**` does: `vendor/` matches `vendor/a/b.c` (and `vendor`, the folder
// itself, as an Apple bundle is checked). An invalid glob matches nothing.
func Match(g, p string) bool {
	els := split(g)
	if strings.HasSuffix(g, "/") {
		els = append(els, "**")
	}
	return match(els, strings.Split(p, "/"), false)
}

// MatchFold is Match ignoring case, for paths of releases that Windows and
// macOS read from case-insensitive file systems: `**/*.dll` must cover
// `FFMPEG.DLL`, which Windows loads just the same. g matches p when it
// does under the name comparison of one of the file systems foldname
// models (foldname.KeysOf), the names each finds as one file: NTFS
// upper-cases, so the dotless `ı` matches `i` (`ınstaller.exe` is the
// file Windows opens as `installer.exe`); APFS folds case fully, so the
// long `ſ` matches `s`, `ß` matches `ss` and `ﬁ` matches `fi`, and NFC and
// NFD spellings match; HFS+ ignores some invisible code points, so
// `ff\u200cmpeg` matches `ffmpeg`. A name no file system takes for
// another does not match it: `İnstaller.exe` (dotted capital I) is not
// `installer.exe` on any of them. The APFS and HFS+ keys, decomposed, are
// matched composed again (see composedKeys), so that `?` and a class
// take a character as one, as written; a glob whose class names a
// character a key folds to several is not matched under that key (see
// classesKeepWidth).
func MatchFold(g, p string) bool {
	gk, pk := composedKeys(g), composedKeys(p)
	class := strings.Contains(g, "[")
	for fs := range gk {
		if fs > 0 && gk[fs] == gk[fs-1] && pk[fs] == pk[fs-1] && !class {
			continue // the pair just tried
		}
		if Match(gk[fs], pk[fs]) && (!class || foldname.FS(fs) == foldname.NTFS || classesKeepWidth(g, foldname.FS(fs))) {
			return true
		}
	}
	return false
}

// composedKeys returns foldname.KeysOf(s) with the APFS and HFS+ keys in
// NFC. Those keys are decomposed (NFD), which a glob must not be matched
// in: `caf[é].dll` decomposed is `caf[e\u0301].dll`, whose class takes
// the plain `e` of `cafe.dll`, another file on every file system, and
// `caf?.dll` no longer matches `café.dll` (the `?` takes the `e`, leaving
// the accent). Composing a decomposed key keeps the names it equates, as
// two strings have one NFC exactly when they have one NFD. An HFS+ key
// whose dropped code point sat between two combining marks may be out of
// canonical order, which composing would reorder and so equate with
// another key: such a key is left as it is.
func composedKeys(s string) foldname.Keys {
	k := foldname.KeysOf(s)
	for _, fs := range []foldname.FS{foldname.APFS, foldname.HFSPlus} {
		if norm.NFD.IsNormalString(k[fs]) {
			k[fs] = norm.NFC.String(k[fs])
		}
	}
	return k
}

// Fold returns s with each character mapped to the lower case of its upper
// case, in Unicode normalization form C, the key MatchFold compares: APFS
// and HFS+ find "Mu\u0308ller" (decomposed, as macOS tools often write
// names) as "Müller", so a glob written with either covers both.
func Fold(s string) string {
	return norm.NFC.String(strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, norm.NFC.String(s)))
}

// MatchOrBelow reports whether p matches g or lies below a directory that
// matches g: `vendor/**` and `vendor` both cover `vendor/x/y.c`.
func MatchOrBelow(g, p string) bool {
	return match(split(g), strings.Split(p, "/"), true)
}

// MatchOrBelowFold is MatchOrBelow ignoring case as MatchFold does, for
// repositories checked out on case-insensitive file systems, where
// `Vendor/x.c` and `vendor/x.c` are one file (and so are `thırd_party/x.c`
// and `third_party/x.c` on NTFS).
func MatchOrBelowFold(g, p string) bool {
	return MatchOrBelow(Fold(g), Fold(p))
}

func split(g string) []string {
	return strings.Split(strings.TrimSuffix(g, "/"), "/")
}

// match reports whether the elements of p match those of g. It is dynamic
// programming over (glob element, path element) pairs, so hostile globs such
// as `**/a/**/a/**/a` cost O(len(g)·len(p)) instead of exponential
// backtracking. With below, a path that continues after the glob is used up
// still matches (it lies below a matching directory).
func match(g, p []string, below bool) bool {
	// ok[i][j]: g[i:] matches p[j:].
	ok := make([][]bool, len(g)+1)
	for i := range ok {
		ok[i] = make([]bool, len(p)+1)
	}
	for j := 0; j <= len(p); j++ {
		ok[len(g)][j] = below || j == len(p)
	}
	for i := len(g) - 1; i >= 0; i-- {
		for j := len(p); j >= 0; j-- {
			if g[i] == "**" {
				// Match no element, or one more element and stay on "**".
				ok[i][j] = ok[i+1][j] || (j < len(p) && ok[i][j+1])
				continue
			}
			if j == len(p) {
				continue
			}
			if m, _ := path.Match(g[i], p[j]); m {
				ok[i][j] = ok[i+1][j+1]
			}
		}
	}
	return ok[0][0]
}
