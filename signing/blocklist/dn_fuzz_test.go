package blocklist

import "testing"

// FuzzCanonDN checks that canonicalizing a distinguished name written as
// text never panics, whatever its escapes, quotes and hex values.
func FuzzCanonDN(f *testing.F) {
	for _, s := range []string{`CN=a\, b,O=#13024742`, "/O=x, y/CN=z", `CN="a, b"+OID.2.5.4.15=#1e0400410042`, `CN=\`, `CN=\4`, "E=#0c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canonDN(s)
		unescapeDNValue(s)
		dnAttrValue(s)
	})
}
