package foldname

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ntfsKey returns name's key on Windows (see NTFS): each element without
// its trailing dots and spaces (kept whole if nothing else is left), each
// code point of the Basic Multilingual Plane upper-cased by the simple
// mapping, then ASCII letters lowered, which keeps the key one to one
// with the upper-cased name (it holds no ASCII lower case) and makes it
// name itself lower-cased for a plain ASCII name. Bytes that are not
// UTF-8 are kept as they are. Where Windows' $UpCase table differs from
// Go's Unicode tables, names are reported that Windows keeps apart (a
// false finding) or missed.
func ntfsKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for len(name) > 0 {
		elem, rest, more := strings.Cut(name, "/")
		if t := strings.TrimRight(elem, ". "); t != "" {
			elem = t
		}
		for i := 0; i < len(elem); {
			r, n := utf8.DecodeRuneInString(elem[i:])
			switch {
			case r == utf8.RuneError && n <= 1:
				b.WriteByte(elem[i])
			case r < 0x10000:
				r = unicode.ToUpper(r)
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				b.WriteRune(r)
			default:
				b.WriteString(elem[i : i+n])
			}
			i += n
		}
		if more {
			b.WriteByte('/')
		}
		name = rest
	}
	return b.String()
}
