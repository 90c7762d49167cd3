package foldname

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// 8.3 short names. NTFS (where short-name creation is on, as on system
// volumes) and FAT give every file whose name is not a valid MS-DOS name
// a second, short name: its first six characters that MS-DOS allows,
// upper-cased, "~N" and the first three of its extension ("Program
// Files" is PROGRA~1, "Setup Helper.exe" SETUPH~1.EXE). Windows opens a
// file by either name, so an entry named PROGRA~1/x.dll extracted after
// Program Files/x.dll replaces it. Which N a long name gets depends on
// the order of creation (~1 to ~4, then a hash of the name), so an entry
// whose name has the shape of a short name (ShortAlias) is taken to be
// one with every long name of the same stem and extension: a warning may
// name a pair Windows keeps apart, but never misses one. Paths in which
// one element is such a pair are compared (the others compare as NTFS
// names). Past ~4 Windows names a file by the first two characters, four
// hex digits of a hash of its long name and ~N (PR1A2B~1): a short name
// of that shape is taken to be one with every long name of the same two
// first characters and extension (its hashedShortKey), since the hash is not
// modelled.

// shortMark starts the key of a short-name element: no NTFS key holds a
// NUL byte.
const shortMark = "\x00"

// dosInvalid are the printable ASCII characters an MS-DOS name may not
// hold (besides "." and the space, which only the extension separator
// and nothing may be).
const dosInvalid = "\"*+,/:;<=>?[\\]|"

// ShortAlias reports whether the path element elem has the shape of an
// 8.3 short name Windows generates ("PROGRA~1", "SETUPH~2.EXE"), and
// returns the key it shares with the long names it may stand for.
func ShortAlias(elem string) (key string, ok bool) {
	base, ext, _ := cutExt(elem)
	t := strings.LastIndexByte(base, '~')
	if t < 1 || utf8.RuneCountInString(base) > 8 || utf8.RuneCountInString(ext) > 3 || !oemChars(base[:t]) || !oemChars(ext) {
		return "", false
	}
	digits := base[t+1:]
	if digits == "" || digits[0] == '0' {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	stem := strings.ToLower(base[:t])
	if utf8.RuneCountInString(stem) >= 5 && isHex(stem[len(stem)-4:]) {
		return hashedShortKey(stem[:len(stem)-4], strings.ToLower(ext)), true
	}
	return shortMark + stem + "." + strings.ToLower(ext), true
}

// hashedShortKey is the key of the hashed short names whose stem starts with
// prefix (its first two characters, or fewer when the long name has
// fewer) and whose extension is ext: "#" is no character of an 8.3 name
// stem Windows generates from a long name.
func hashedShortKey(prefix, ext string) string {
	return shortMark + prefix + "#." + ext
}

// isHex reports whether s is all hex digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// longShortKeys returns the keys of the short names Windows may give the
// path element elem: the ~N one (longShortKey) and the hashed one, and
// when elem holds letters outside ASCII, both again with those letters
// kept (Windows keeps those its OEM code page holds: "Café Tools.dll" is
// CAFÉTO~1.DLL under code page 437); none when elem is a valid MS-DOS
// name.
func longShortKeys(elem string) []string {
	k, ok := longShortKey(elem)
	if !ok {
		return nil
	}
	keys := make([]string, 0, 4)
	for i, key := range []string{k, oemShortKey(elem)} {
		if i > 0 && (key == "" || key == k) {
			break
		}
		stem, ext, _ := strings.Cut(key[len(shortMark):], ".")
		n := 0
		for j := range stem {
			if n == 2 {
				stem = stem[:j]
				break
			}
			n++
		}
		keys = append(keys, key, hashedShortKey(stem, ext))
	}
	return keys
}

// oemShortKey is longShortKey's key with letters and digits outside ASCII
// kept, lowered, rather than made "_".
func oemShortKey(elem string) string {
	if t := strings.TrimRight(elem, ". "); t != "" {
		elem = t
	}
	s := strings.TrimLeft(strings.ReplaceAll(elem, " ", ""), ".")
	base, ext := s, ""
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		base, ext = s[:i], s[i+1:]
	}
	base = oemMap(strings.ReplaceAll(base, ".", ""), 6)
	if base == "" {
		return ""
	}
	return shortMark + base + "." + oemMap(ext, 3)
}

// oemMap is dosMap counting characters, with letters and digits outside
// ASCII kept, lowered.
func oemMap(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			break
		}
		i++
		if r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteString(dosMap(string(r), 1))
	}
	return b.String()
}

// oemChars is dosChars, letting letters and digits outside ASCII (those
// an OEM code page may hold) through.
func oemChars(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
			continue
		}
		if !dosChars(string(r)) {
			return false
		}
	}
	return true
}

// longShortKey returns the key of the short name Windows generates for
// the path element elem, if it is not a valid MS-DOS name (ok false when
// it is: it has no other name).
func longShortKey(elem string) (key string, ok bool) {
	if t := strings.TrimRight(elem, ". "); t != "" {
		elem = t
	}
	if validDOSName(elem) {
		return "", false
	}
	// Spaces and leading dots go, the last dot left separates the
	// extension, characters MS-DOS refuses become "_" (so do the
	// non-ASCII ones, which Windows maps to its OEM code page where it
	// can: oemShortKey keeps them).
	s := strings.TrimLeft(strings.ReplaceAll(elem, " ", ""), ".")
	base, ext := s, ""
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		base, ext = s[:i], s[i+1:]
	}
	base = dosMap(strings.ReplaceAll(base, ".", ""), 6)
	ext = dosMap(ext, 3)
	if base == "" {
		return "", false
	}
	return shortMark + base + "." + ext, true
}

// dosMap returns the first n characters of s lowered, with those MS-DOS
// refuses as "_".
func dosMap(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == n {
			break
		}
		switch {
		case r >= 0x80 || r < 0x20 || strings.ContainsRune(dosInvalid, r):
			b.WriteByte('_')
		case 'A' <= r && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cutExt splits elem at its last dot.
func cutExt(elem string) (base, ext string, dot bool) {
	if i := strings.LastIndexByte(elem, '.'); i >= 0 {
		return elem[:i], elem[i+1:], true
	}
	return elem, "", false
}

// validDOSName reports whether elem is a valid MS-DOS name (of any case):
// one to eight characters, an optional extension of up to three, ASCII
// characters MS-DOS allows. Windows gives such a name no short name.
func validDOSName(elem string) bool {
	base, ext, dot := cutExt(elem)
	return base != "" && len(base) <= 8 && len(ext) <= 3 && !(dot && ext == "") && dosChars(base) && dosChars(ext)
}

// dosChars reports whether s holds only characters an MS-DOS name part
// may hold.
func dosChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '.' || strings.IndexByte(dosInvalid, c) >= 0 {
			return false
		}
	}
	return true
}

// shortKeys returns the keys under which the path name meets the short
// names of others: alias is name's NTFS key with each element that has
// the shape of a short name replaced by its short-name key (ok false when
// none has), and longs are name's NTFS key with one long element at a
// time replaced by the key of the short name it gets.
func shortKeys(name string) (alias string, hasAlias bool, longs []string) {
	elems := strings.Split(name, "/")
	keys := make([]string, len(elems))
	for i, e := range elems {
		keys[i] = ntfsKey(e)
	}
	a := append([]string(nil), keys...)
	for i, e := range elems {
		if k, ok := ShortAlias(e); ok {
			a[i], hasAlias = k, true
		}
	}
	if hasAlias {
		alias = strings.Join(a, "/")
	}
	for i, e := range elems {
		old := keys[i]
		for _, k := range longShortKeys(e) {
			keys[i] = k
			longs = append(longs, strings.Join(keys, "/"))
		}
		keys[i] = old
	}
	return alias, hasAlias, longs
}

// hasShortAlias reports whether an element of name has the shape of a
// short name, calling fn with the key of each.
func hasShortAlias(name string, fn func(key string)) bool {
	if strings.IndexByte(name, '~') < 0 {
		return false
	}
	found := false
	for e := range strings.SplitSeq(name, "/") {
		if k, ok := ShortAlias(e); ok {
			found = true
			if fn != nil {
				fn(k)
			}
		}
	}
	return found
}

// hasLongFor reports whether an element of name is a long name whose
// short name's key is in keys.
func hasLongFor(name string, keys map[string]bool) bool {
	for e := range strings.SplitSeq(name, "/") {
		for _, k := range longShortKeys(e) {
			if keys[k] {
				return true
			}
		}
	}
	return false
}
