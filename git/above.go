package git

import "strings"

// aboveOf reports whether path q names a proper ancestor of the protected
// prefix p (ignoring case when fold is set, and then reading q as Windows
// does, see winPath): a file, symlink or submodule there takes the place of
// p's directory in a checkout (see repo.above), so a change to it is a
// change to p.
func aboveOf(q, p string, fold bool) bool {
	if fold {
		q = winPath(q)
	}
	if q == "" || (!fold && len(q) >= len(p)) {
		return false
	}
	qs, ps := strings.Split(q, "/"), strings.Split(p, "/")
	if len(qs) >= len(ps) {
		return false
	}
	for i, s := range qs {
		if s != ps[i] && !(fold && (foldPath(s) == foldPath(ps[i]) || shortNameAlias(s, ps[i]))) && !(!fold && nfc(s) == nfc(ps[i])) {
			return false
		}
	}
	return true
}

// matchProtected reports whether the changed path q falls under protect
// glob g: it matches g, or names a proper ancestor of g's literal prefix.
func matchProtected(g, q string, fold bool) bool {
	return matchProtectedGlob(g, q, fold) || aboveOf(q, globPrefix(g), fold)
}

// exactAncestorSpecs returns, for git rev-list, pathspecs matching the
// proper ancestors of each prefix and nothing below them, so that git lists
// the commits that change a file, symlink or submodule there (see
// repo.above): ":(glob,icase)" patterns with a wildcard, since without one
// a pathspec also matches everything below its path. Letters with
// non-ASCII case forms and runs of non-ASCII bytes become "*" (see
// looseGlob); otherwise the last letter or digit is put in brackets.
func exactAncestorSpecs(prefixes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range prefixes {
		for i := 0; i < len(p); i++ {
			if p[i] != '/' || seen[p[:i]] {
				continue
			}
			seen[p[:i]] = true
			if g, ok := exactGlob(p[:i]); ok {
				out = append(out, ":(glob,icase)"+g)
			} else {
				out = append(out, ":(literal,icase)"+p[:i])
			}
		}
	}
	return out
}

// exactGlob returns a glob holding a wildcard that matches path a (and its
// case variants, under icase) and no path below it; false when a has no
// character to put one on.
func exactGlob(a string) (string, bool) {
	g := looseGlob(a, true)
	if g != globEscape(a) {
		return g, true
	}
	for i := len(g) - 1; i >= 0; i-- {
		c := g[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			return g[:i] + "[" + string(c) + "]" + g[i+1:], true
		}
		if c == '/' {
			break
		}
	}
	return "", false
}
