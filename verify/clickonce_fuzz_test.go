package verify

import (
	"testing"
)

// FuzzParseClickOnce reads hostile ClickOnce manifests: no panic, and
// no more references than the cap.
func FuzzParseClickOnce(f *testing.F) {
	for name, b := range clickOnceTree("https://example.com/a.application", nil) {
		if may, _ := isClickOnceName(name); may {
			f.Add(b)
		}
	}
	f.Add([]byte(`<a><file name="x"><DigestValue>AAAA</DigestValue><DigestValue>!</DigestValue></file><dependentAssembly codebase="y"/></a>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := parseClickOnce(b)
		if len(m.refs) > maxClickOnceRefs {
			t.Fatalf("%d references", len(m.refs))
		}
		for _, r := range m.refs {
			clickOnceURL(r.name)
			clickOnceFile(r.name, "d", map[string]*File{})
		}
	})
}
