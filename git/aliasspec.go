package git

import (
	"slices"
	"strings"
)

// Alias pathspecs: with folded paths, a raw path stands for a protected one
// when each of its elements, as foldEqual reads it, is the protected
// prefix's element at the same position (entriesAtOrAbove matches one
// element per tree level, several for a name holding backslashes). Let l be a prefix element, folded (foldPath).
// A raw element N that foldEqual takes for l either matches elementGlob(l)
// under git's icase magic (ASCII case; each character with a non-ASCII
// form that folds to it, foldASCII, is a wildcard), or it holds an alias
// feature: a trailing dot or space, a backslash, "~" and a digit (an NTFS
// short name), or a code point HFS+ ignores. Fold (upper, then lower
// case, NFC) maps only ASCII and the six code points of foldForms to
// ASCII, and only "I" with U+0307 composes into one of them, so nothing
// else can fold to an ASCII l. A non-ASCII character of l is a wildcard in
// elementGlob (looseGlob), which covers its case variants and NFD
// spelling.
//
// So for a raw path under prefix e1/…/en, take the first position i whose
// element holds a feature: its elements before i match elementGlob of
// e1…e(i-1), and it is matched by the pathspec made of those element
// globs, "/", and a feature pattern (with "/**" for what lies below it). A
// path with no such element is matched by the prefix's own pathspec. Raw
// positions can only be 1…n: every element matched is one tree level
// deeper, and a backslash element, which stands for several, sits at a raw
// position no deeper than the Windows one. A name made only of
// backslashes stands for none, but it is itself the first feature
// element, and "/**" after it covers what lies below.
//
// git's tree walk prunes by a pathspec's leading literal only: a pattern
// starting with a wildcard sends it into every changed directory at every
// depth (tree-walk.c, "Match all directories"). At position 1 a pattern
// therefore starts with a literal lead byte of every way N can begin (see
// firstLeads), and deeper ones with the literal path of the elements
// before; git then reads the changed directories at the root and one
// level below, and no further than the protected prefixes.

// aliasFeatures are the patterns for an element holding an alias
// feature, each starting with "*": a trailing dot or space, and a
// backslash, a "~" or a byte that starts the UTF-8 form of a code point
// HFS+ ignores (E2 for U+200C–U+206F, EF for U+FEFF) anywhere. A superset:
// the in-process matching picks the commits that count.
var aliasFeatures = []string{"*[. ]", "*[\\\\~\xe2\xef]*"}

// rootLeads are literal-led patterns for a first element that stands
// for any prefix's: one starting with a code point HFS+ ignores (E2 80
// 8C–8F, E2 80 AA–AE, E2 81 AA–AF, EF BB BF; a superset, every element
// starting with a byte E2 or EF), and one starting with a backslash,
// which Windows reads as an empty element before the rest ("\vendor" is
// vendor, and "\" no element at all, see winPath).
var rootLeads = []string{"\xe2*", "\xef*", "\\\\*"}

// foldForms are the UTF-8 forms of the non-ASCII code points that
// glob.Fold maps to an ASCII character: İ and ı to i, ſ to s, the Kelvin
// sign to k (case), and U+037E GREEK QUESTION MARK to ";" and U+1FEF
// GREEK VARIA to "`" (NFC singletons).
var foldForms = map[byte][]string{
	'i': {"\u0130", "\u0131"},
	's': {"\u017f"},
	'k': {"\u212a"},
	';': {"\u037e"},
	'`': {"\u1fef"},
}

// aliasSpecs returns git pathspecs listing every commit that changes a
// path standing, through an alias element, for a path under one of
// prefixes (see the comment above): nil when a prefix is "" (":(literal)."
// lists every commit changing anything).
func aliasSpecs(prefixes []string) []string {
	if len(prefixes) == 0 || slices.Contains(prefixes, "") {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range prefixes {
		ls := strings.Split(p, "/")
		for i, e := range ls {
			ls[i] = foldPath(e)
		}
		for i := range ls {
			for _, a := range aliasAnchors(ls[:i], ls[i]) {
				for _, f := range aliasFeatures {
					add(":(glob,icase)" + a + f)
					add(":(glob,icase)" + a + f + "/**")
				}
			}
		}
	}
	for _, l := range rootLeads {
		add(":(glob)" + l)
		add(":(glob)" + l + "/**")
	}
	return out
}

// aliasAnchors returns the literal-led patterns that, followed by a
// feature pattern, match every raw element path whose elements before the
// last fold to before (each matching elementGlob) and whose last element
// stands for l: with no elements before, the leads of l (firstLeads);
// else the globs of before, the first one led by a literal.
func aliasAnchors(before []string, l string) []string {
	if len(before) == 0 {
		return firstLeads(l)
	}
	rest := ""
	for _, b := range before[1:] {
		rest += "/" + elementGlob(b)
	}
	var out []string
	for _, f := range firstElementGlobs(before[0]) {
		out = append(out, f+rest+"/")
	}
	return out
}

// firstLeads returns the literal first characters (under icase) an
// element standing for the folded element l can begin with, apart from a
// code point HFS+ ignores or a backslash (rootLeads): l's first character, the
// non-ASCII forms that fold to it, and the first character of its NTFS
// short name (shortBasis; "G" for ".gitattributes").
func firstLeads(l string) []string {
	if l == "" || l[0] >= 0x80 {
		// An element standing for a non-ASCII one can start with a
		// base letter and a combining mark (NFD) or another case:
		// no literal lead, and git reads every changed directory.
		return []string{""}
	}
	leads := []string{globEscape(l[:1])}
	leads = append(leads, foldForms[l[0]]...)
	if base, _ := shortBasis(l); base != "" && base[0] < 0x80 && !strings.EqualFold(base[:1], l[:1]) {
		leads = append(leads, globEscape(base[:1]))
	}
	return leads
}

// firstElementGlobs returns patterns, each with a literal first
// character, that together match what elementGlob(l) matches.
func firstElementGlobs(l string) []string {
	if l == "" || l[0] >= 0x80 || foldForms[l[0]] == nil {
		return []string{elementGlob(l)}
	}
	rest := elementGlob(l[1:])
	// "*" after the ASCII letter: "I" and U+0307 fold to "i".
	out := []string{l[:1] + "*" + rest}
	for _, f := range foldForms[l[0]] {
		out = append(out, f+rest)
	}
	return out
}

// elementGlob returns the pattern, for git's glob and icase magic, that
// matches the element l and its case variants (see looseGlob).
func elementGlob(l string) string { return looseGlob(l, true) }

// looseGlob returns a pattern, for git's glob and icase magic, matching
// the path p, its ASCII case variants and, with a wildcard for each run of
// bytes outside ASCII, its NFC and NFD spellings and the case variants of
// its non-ASCII letters, which icase does not fold; with fold, each
// character that a non-ASCII one folds to (foldASCII) is a wildcard too.
// The glob characters are escaped. A superset: the in-process matching
// picks the commits that count.
func looseGlob(p string, fold bool) string {
	var b strings.Builder
	star := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x80 || fold && strings.IndexByte(foldASCII, c) >= 0 {
			if !star {
				b.WriteByte('*')
			}
			star = true
			continue
		}
		star = false
		b.WriteString(globEscape(p[i : i+1]))
	}
	return b.String()
}

// globEscape escapes the characters git's wildmatch treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[]\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
