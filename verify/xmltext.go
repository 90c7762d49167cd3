package verify

import (
	"bytes"

	"golang.org/x/text/encoding/unicode"
)

// xmlUTF8 returns the XML document b as UTF-8, as an XML processor tells
// its encoding (XML 1.0, appendix F): UTF-16 by its byte order mark, or
// by "<" as its first character with no mark; a UTF-8 byte order mark is
// dropped. Other bytes are returned as they are.
func xmlUTF8(b []byte) []byte {
	var e unicode.Endianness
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return b[3:]
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{'<', 0}):
		e = unicode.LittleEndian
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}), bytes.HasPrefix(b, []byte{0, '<'}):
		e = unicode.BigEndian
	default:
		return b
	}
	out, err := unicode.UTF16(e, unicode.UseBOM).NewDecoder().Bytes(b[:len(b)&^1])
	if err != nil {
		return b
	}
	return out
}
