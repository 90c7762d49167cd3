package foldname

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ntfsKey returns name's key on Windows (see NTFS): each element without
// the name of its default stream (cutStream) or else its trailing dots and
// spaces (kept whole if nothing else is left), each
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
		if t, ok := cutStream(elem); ok {
			elem = t
		} else if t := strings.TrimRight(elem, ". "); t != "" {
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

// defaultStreams are the suffixes by which NTFS names a file's or a
// folder's own data (its unnamed $DATA stream, its $I30 index): Windows
// opens "foo.dll::$DATA" as foo.dll and "lib::$INDEX_ALLOCATION" as the
// folder lib, whatever their case.
var defaultStreams = [...]string{"::$DATA", "::$INDEX_ALLOCATION", ":$I30:$INDEX_ALLOCATION"}

// cutStream returns elem without a default stream's suffix, if it has
// one and a name before it. Win32 trims trailing dots and spaces before
// NTFS parses the stream, so those of the name before the suffix stay:
// "foo.dll.::$DATA" is the file "foo.dll." (an NTFS name Win32 cannot
// otherwise reach).
func cutStream(elem string) (string, bool) {
	for _, s := range defaultStreams {
		if n := len(elem) - len(s); n > 0 && strings.EqualFold(elem[n:], s) {
			return elem[:n], true
		}
	}
	return "", false
}
