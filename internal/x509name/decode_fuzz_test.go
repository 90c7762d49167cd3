package x509name

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecodeString checks that any DER element, hostile or not, decodes to
// valid UTF-8 or is refused, and never panics.
func FuzzDecodeString(f *testing.F) {
	f.Add([]byte{0x0c, 0x03, 'a', 'b', 'c'})          // UTF8String
	f.Add([]byte{0x13, 0x02, 'C', 'N'})               // PrintableString
	f.Add([]byte{0x14, 0x02, 0xe9, 'a'})              // TeletexString
	f.Add([]byte{0x1e, 0x04, 0x00, 'a', 0xd8, 0x00})  // BMPString, lone surrogate
	f.Add([]byte{0x1c, 0x04, 0x00, 0x01, 0xf6, 0x00}) // UniversalString
	f.Add([]byte{0x1c, 0x03, 0x00, 0x00, 0x00})       // UniversalString, short
	f.Add([]byte{0x0c, 0x81, 0x01, 'a'})              // long-form length
	f.Add([]byte{0x0c, 0x05, 'a'})                    // length past the end
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := DecodeString(b)
		if ok && !utf8.ValidString(s) {
			t.Fatalf("DecodeString(%x) = %q, not valid UTF-8", b, s)
		}
		if !ok && s != "" {
			t.Fatalf("DecodeString(%x) refused but returned %q", b, s)
		}
	})
}
