package verify

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzWSFExternalSources checks that the .wsf src scan, over any bytes in
// any encoding, never panics and quotes only valid UTF-8 of bounded size.
func FuzzWSFExternalSources(f *testing.F) {
	f.Add([]byte(`<job><script language="JScript" src="lib.js"/></job>`))
	f.Add([]byte(`<job><SCRIPT src = 'a.vbs' ></SCRIPT><scriptlet src="x"/></job>`))
	f.Add([]byte("\xff\xfe<\x00s\x00c\x00r\x00i\x00p\x00t\x00 \x00s\x00r\x00c\x00=\x00\"\x00a\x00\"\x00>\x00"))
	f.Add([]byte("\xef\xbb\xbf<script src=\"" + string(bytes.Repeat([]byte{'a'}, 2000)) + "\">"))
	f.Add([]byte(`<script src="unterminated`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, fd := range wsfExternalSources(bytes.NewReader(b), int64(len(b)), nil) {
			if !utf8.ValidString(fd.Message) {
				t.Fatalf("finding message is not valid UTF-8: %q", fd.Message)
			}
			if len(fd.Message) > 4*maxSrcLen+1024 {
				t.Fatalf("finding message of %d bytes", len(fd.Message))
			}
		}
	})
}
