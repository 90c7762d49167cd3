package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestAsarUnownedDataSeverity: in a release, a gap of a payload's size
// between two files of app.asar fails the gate; a few zero bytes after the
// last file are a warning that leaves it passing; a packed archive has
// neither.
func TestAsarUnownedDataSeverity(t *testing.T) {
	files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"x"}`)}, {Path: "index.js", Data: []byte("1")}}
	clean := packAsar(files)
	gap := electronfix.PackAsarRaw([]byte(`{"files":{"a.js":{"size":1,"offset":"0"},"b.js":{"size":1,"offset":"101"}}}`),
		append(append([]byte("a"), make([]byte, 100)...), 'b'))
	for _, c := range []struct {
		name   string
		asar   []byte
		sev    string // severity of the asar/unowned-data finding; empty for none
		passed bool
	}{
		{"clean", clean, "", true},
		{"gap", gap, "error", false},
		{"small zero tail", append(append([]byte(nil), clean...), 0, 0, 0, 0), "warning", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"resources/app.asar": c.asar})
			r := run(t, Options{Policy: requireValid()}, dir)
			var got string
			for _, f := range r.Findings {
				if f.Rule == "asar/unowned-data" {
					if f.Path != "resources/app.asar" || got != "" {
						t.Errorf("finding %s %s: %s", f.Path, f.Severity, f.Message)
					}
					got = f.Severity.String()
				}
			}
			if got != c.sev || r.Summary.Passed != c.passed {
				t.Errorf("asar/unowned-data %q, passed %v; want %q, %v; findings %v", got, r.Summary.Passed, c.sev, c.passed, r.Findings)
			}
		})
	}
}
