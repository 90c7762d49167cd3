package verify

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// feedText returns the text of a Squirrel RELEASES file as Update.exe
// reads a local or UNC update folder's (File.ReadAllText, which takes a
// byte order mark of UTF-8, UTF-16 or UTF-32 for the file's encoding),
// in UTF-8 without the mark. Read from a URL, Update.exe decodes the
// bytes as UTF-8 and refuses a UTF-16 feed; read from a share, it
// installs what the feed lists, so the feed is compared either way.
func feedText(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}):
		return decodeUTF32(data[4:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return decodeUTF32(data[4:], binary.BigEndian)
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
}

// decodeUTF16 returns b, UTF-16 in byte order o, as UTF-8: an unpaired
// surrogate or an odd last byte is U+FFFD, as .NET's decoder gives.
func decodeUTF16(b []byte, o binary.ByteOrder) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = o.Uint16(b[2*i:])
	}
	out := make([]byte, 0, len(b)/2+3)
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	if len(b)%2 == 1 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}

// decodeUTF32 returns b, UTF-32 in byte order o, as UTF-8: a code unit
// that is no character, or a last one cut short, is U+FFFD.
func decodeUTF32(b []byte, o binary.ByteOrder) []byte {
	out := make([]byte, 0, len(b)/4+3)
	for i := 0; i+4 <= len(b); i += 4 {
		r := rune(o.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	if len(b)%4 != 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}
