package git

import (
	"strings"
)

// shortNameAlias reports whether name can be the NTFS 8.3 short name of
// a file or directory whose long name is long (any case), as Windows
// generates it when 8.3 names are on (the default on the system volume):
// the long name upper-cased without spaces and inner dots, "+,;=[]" made
// "_", its base cut to 1 to 6 characters (or its first two and 4 hex
// digits of a hash, from the fifth collision on) followed by "~N", and its
// extension cut to 3. A checkout on such a volume that writes
// "THIRD_~1/x.c" while third_party_libs/ exists writes
// third_party_libs/x.c: git for Windows guards only ".git"'s short name
// (GIT~1). The test is loose (any N, any prefix length): a real short
// name of another directory is never taken for one of long's.
func shortNameAlias(name, long string) bool {
	i := strings.LastIndexByte(name, '~')
	if i <= 0 || len(name) > 12 || strings.EqualFold(name, long) {
		return false
	}
	for j := 0; j < len(name); j++ {
		if name[j] >= 0x80 {
			return false
		}
	}
	base, rest := strings.ToUpper(name[:i]), name[i+1:]
	num, ext, hasExt := strings.Cut(rest, ".")
	if num == "" || num[0] == '0' || len(base)+1+len(num) > 8 || strings.ContainsAny(base, ". ") {
		return false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return false
		}
	}
	lbase, lext := shortBasis(long)
	if hasExt {
		if ext == "" || len(ext) > 3 || !strings.EqualFold(ext, lext[:min(3, len(lext))]) {
			return false
		}
	} else if lext != "" {
		return false
	}
	if strings.HasPrefix(lbase, base) {
		return true
	}
	return len(base) == 6 && len(lbase) >= 2 && base[:2] == lbase[:2] && isHexUpper(base[2:])
}

// shortBasis returns the upper-cased base and extension Windows derives a
// short name from.
func shortBasis(long string) (base, ext string) {
	u := strings.ToUpper(strings.TrimLeft(long, "."))
	if i := strings.LastIndexByte(u, '.'); i >= 0 {
		base, ext = u[:i], u[i+1:]
	} else {
		base = u
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '.':
				return -1
			case strings.ContainsRune("+,;=[]", r):
				return '_'
			}
			return r
		}, s)
	}
	return clean(base), clean(ext)
}

func isHexUpper(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// unaliasPath rewrites the elements of p that can be short names of the
// matching literal elements of prefix (a protected glob's literal
// prefix) to those elements, so that glob matching sees the path a
// Windows checkout writes.
func unaliasPath(p, prefix string) string {
	if prefix == "" || !strings.Contains(p, "~") {
		return p
	}
	ps, gs := strings.Split(p, "/"), strings.Split(prefix, "/")
	changed := false
	for i := 0; i < len(ps) && i < len(gs); i++ {
		if shortNameAlias(ps[i], gs[i]) {
			ps[i], changed = gs[i], true
		} else if foldPath(ps[i]) != foldPath(gs[i]) {
			break
		}
	}
	if !changed {
		return p
	}
	return strings.Join(ps, "/")
}
