package git

import (
	"bytes"
	"testing"
)

// FuzzMatchSubst matches hostile artifact text against hostile
// export-subst templates: no panic, every region inside the artifact, and
// a match's literal text and regions adding up to the artifact.
func FuzzMatchSubst(f *testing.F) {
	f.Add([]byte("v=$Format:%H$\nref=$Format:%d$\n"), []byte("v=0123\nref= (HEAD -> main, tag: v1)\n"))
	f.Add([]byte("$Format:%d$$Format:%d$"), []byte("ab"))
	f.Add([]byte("x$Format:"), []byte("x$Format:"))
	f.Add([]byte("a$Format:%H$a$Format:%d$a"), []byte("aaaaaaaa"))
	f.Fuzz(func(t *testing.T, tpl, art []byte) {
		expand := func(f string) (string, bool) {
			if f == "%H" {
				return "0123", true
			}
			return "", false
		}
		regions, ok := matchSubst(tpl, art, expand)
		if !ok {
			return
		}
		end := -1
		for _, r := range regions {
			if r.offset < 0 || r.offset+len(r.text) > len(art) || r.offset < end {
				t.Fatalf("region %q at %d in %d bytes (previous ends at %d)", r.text, r.offset, len(art), end)
			}
			if !bytes.Equal(art[r.offset:r.offset+len(r.text)], r.text) {
				t.Fatalf("region %q at %d is not the artifact's bytes", r.text, r.offset)
			}
			end = r.offset + len(r.text)
		}
	})
}
