package git

import (
	"slices"
	"strings"
)

// matchProtectedGlob is matchGlob for a protect glob: with fold, an
// element of p that can be an NTFS short name of a literal element of g
// after its first wildcard also matches it ("**/secrets/**" and
// d/SECRET~1/k, which a Windows checkout writes into d/secrets where that
// directory exists). unaliasPath resolves short names of the literal
// prefix only. Allow lists keep matchGlob, so they do not widen.
func matchProtectedGlob(g, p string, fold bool) bool {
	if matchGlob(g, p, fold) {
		return true
	}
	if !fold || !strings.Contains(p, "~") {
		return false
	}
	wg := winGlob(dropIgnorable(g))
	segs := strings.Split(strings.TrimSuffix(wg, "/"), "/")
	var lits []string
	skip := 0
	if pre := globPrefix(wg); pre != "" {
		skip = strings.Count(pre, "/") + 1
	}
	for _, s := range segs[skip:] {
		if s != "" && s != "**" && !strings.ContainsAny(s, `*?[\`) && !slices.Contains(lits, s) {
			lits = append(lits, s)
		}
	}
	els := strings.Split(winPath(dropIgnorable(p)), "/")
	// One rewrite per literal element, and one with each element
	// taken for the first literal element it can stand for.
	first := slices.Clone(els)
	for _, s := range lits {
		alt, changed := slices.Clone(els), false
		for i, e := range els {
			if strings.Contains(e, "~") && shortNameAlias(e, s) {
				alt[i], changed = s, true
				if first[i] == e {
					first[i] = s
				}
			}
		}
		if changed && matchGlob(g, strings.Join(alt, "/"), fold) {
			return true
		}
	}
	return matchGlob(g, strings.Join(first, "/"), fold)
}

// matchAnyProtected reports whether p matches one of the protect globs
// (matchProtectedGlob).
func matchAnyProtected(globs []string, p string, fold bool) bool {
	return slices.ContainsFunc(globs, func(g string) bool { return matchProtectedGlob(g, p, fold) })
}
