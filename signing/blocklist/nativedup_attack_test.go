package blocklist

import (
	"strings"
	"testing"
)

// TestAttackNativeJSONDuplicateField checks that the native JSON reader
// refuses a field given twice, in an entry or at the top level, as the
// YAML reader does. It kept the last value, where whoever reviews the
// list reads the first: an entry showing the thumbprint of a revoked
// certificate could list another, and a second "entries" array replaced
// the first.
func TestAttackNativeJSONDuplicateField(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, doc := range []string{
		`{"version":1,"entries":[{"kind":"cert-sha256","value":"` + a + `","value":"` + b + `"}]}`,
		`{"version":1,"entries":[{"kind":"cert-sha256","kind":"file-sha256","value":"` + a + `"}]}`,
		`{"version":1,"entries":[{"kind":"subject","value":"Evil","issuer":"CA","notAfter":"2030-01-01T00:00:00Z","notAfter":"2001-01-01T00:00:00Z"}]}`,
		`{"version":1,"entries":[{"kind":"cert-sha256","value":"` + a + `"}],"entries":[]}`,
		`{"version":1,"version":1,"entries":[]}`,
		`[{"kind":"cert-sha256","value":"` + a + `","val\u0075e":"` + b + `"}]`,
		"version: 1\nentries:\n  - kind: cert-sha256\n    value: " + a + "\n    value: " + b + "\n",
	} {
		if _, err := Parse(strings.NewReader(doc), "list.json", LoadOptions{Format: FormatNative}); err == nil || !strings.Contains(err.Error(), "duplicate") {
			t.Errorf("%.80s: err = %v, want a duplicate field error", doc, err)
		}
	}
	// The same field in two entries is no duplicate.
	doc := `{"version":1,"entries":[{"kind":"cert-sha256","value":"` + a + `"},{"kind":"cert-sha256","value":"` + b + `"}]}`
	if l, err := Parse(strings.NewReader(doc), "list.json", LoadOptions{Format: FormatNative}); err != nil || l.Len() != 2 {
		t.Errorf("two entries: %v", err)
	}
}
