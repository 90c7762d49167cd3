package git

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// shortNameAlias reports whether name can be the NTFS 8.3 short name of
// a file or directory whose long name is long (any case), as Windows
// generates it when 8.3 names are on (the default on the system volume):
// the long name upper-cased without spaces and inner dots, "+,;=[]" and
// each character outside ASCII made "_", its base cut to 1 to 6
// characters (or its first two and 4 hex digits of a hash, from the fifth
// collision on) followed by "~N", and its extension cut to 3. A checkout on such a volume that writes
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
	if !hasExt {
		ext = ""
	} else if ext == "" || len(ext) > 3 {
		return false
	}
	if shortOf(base, ext, long) {
		return true
	}
	// The long name as the checkout wrote it may be either spelling.
	if nfd := norm.NFD.String(long); nfd != long {
		return shortOf(base, ext, nfd)
	}
	return shortOf(base, ext, norm.NFC.String(long))
}

// shortOf reports whether the upper-cased base and extension ext (""
// for none) of a name "BASE~N.EXT" can be a short name Windows derives
// from long (see shortNameAlias).
func shortOf(base, ext, long string) bool {
	for _, astral := range []string{"__", "_"} {
		lbase, lext := shortBasisOf(long, astral)
		if !strings.EqualFold(ext, lext[:min(3, len(lext))]) {
			continue
		}
		if strings.HasPrefix(lbase, base) {
			return true
		}
		if len(base) == 6 && len(lbase) >= 2 && base[:2] == lbase[:2] && isHexUpper(base[2:]) {
			return true
		}
	}
	return false
}

// shortBasis returns the upper-cased base and extension Windows derives a
// short name from: each character left outside ASCII after upper-casing
// ("ı" is "I") is "_", as NTFS writes a character not valid in an 8.3
// name ("über" is _BER~1).
func shortBasis(long string) (base, ext string) { return shortBasisOf(long, "__") }

// shortBasisOf is shortBasis with astral for a character outside the
// Basic Multilingual Plane: "__" for its two UTF-16 code units, or "_"
// (which one NTFS writes is not documented; both are tried).
func shortBasisOf(long, astral string) (base, ext string) {
	u := strings.ToUpper(strings.TrimLeft(long, "."))
	if i := strings.LastIndexByte(u, '.'); i >= 0 {
		base, ext = u[:i], u[i+1:]
	} else {
		base = u
	}
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch {
			case r == ' ' || r == '.':
			case strings.ContainsRune("+,;=[]", r):
				b.WriteByte('_')
			case r >= utf8.RuneSelf:
				// Not valid in a short name (by default, with
				// NtfsAllowExtendedCharacterIn8dot3Name off).
				if utf16.RuneLen(r) == 2 {
					b.WriteString(astral)
				} else {
					b.WriteByte('_')
				}
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
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
