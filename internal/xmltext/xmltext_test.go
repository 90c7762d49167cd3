package xmltext

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestNewDecoderEncodings: the element Go's own decoder stops before (a
// UTF-16 document, one naming an encoding it does not know) is read.
func TestNewDecoderEncodings(t *testing.T) {
	t.Parallel()
	const doc = `<?xml version="1.0" encoding="%s"?><a><b u="x"/></a>`
	wide := func(s string, be bool, bom bool) []byte {
		var out []byte
		if bom {
			out = []byte{0xff, 0xfe}
			if be {
				out = []byte{0xfe, 0xff}
			}
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if be {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out
	}
	u16 := strings.Replace(doc, "%s", "utf-16", 1)
	cases := map[string][]byte{
		"utf-8":          []byte(strings.Replace(doc, "%s", "utf-8", 1)),
		"utf-8 bom":      append([]byte{0xef, 0xbb, 0xbf}, strings.Replace(doc, "%s", "utf-8", 1)...),
		"us-ascii":       []byte(strings.Replace(doc, "%s", "us-ascii", 1)),
		"windows-1252":   []byte(strings.Replace(doc, "%s", "windows-1252", 1)),
		"utf-16le bom":   wide(u16, false, true),
		"utf-16be bom":   wide(u16, true, true),
		"utf-16le plain": wide(u16, false, false),
		"utf-16be plain": wide(u16, true, false),
	}
	for name, b := range cases {
		d := NewDecoder(bytes.NewReader(b))
		found := false
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "b" && len(se.Attr) == 1 && se.Attr[0].Value == "x" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: element b not read", name)
		}
	}
}
