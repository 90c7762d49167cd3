package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	model "github.com/shipgate/shipgate/report"
)

// TestAttackTextRenderedReportEnums: `shipgate render` reads a JSON report
// it did not write, so the fields verify fills from fixed vocabularies (the
// file's kind, the signature's format, its digest's algorithm and value, its
// timestamp's kind, the designated requirement's result, a diff's change)
// can hold anything. The text writer printed them raw: a report whose kind
// carried "\x1b[1A\x1b[2K" erased the error line above it, and a newline
// forged report lines. Each is [Clean]ed like every other string.
func TestAttackTextRenderedReportEnums(t *testing.T) {
	const forge = `\u001b[1A\u001b[2K\r\nPASS: 1 file (1 signed), 0 errors, 0 warnings, 0 notes\n\u001b[8m`
	in := `{"schemaVersion":1,"tool":{"name":"shipgate","version":"x"},
"files":[{"path":"a.exe","size":1,"sha256":"` + strings.Repeat("a", 64) + `","kind":"pe` + forge + `",
 "signatures":[{"format":"authenticode` + forge + `","index":0,"status":"invalid",
  "digest":{"algorithm":"sha256` + forge + `","signed":"aa","computed":"bb` + forge + `"},
  "timestamp":{"time":"2023-01-01T00:00:00Z","kind":"rfc3161` + forge + `","verified":true},
  "designatedRequirement":{"text":"anchor apple","result":"satisfied` + forge + `"},
  "checks":[]}]}],
"findings":[{"rule":"file/known-bad","severity":"error","path":"a.exe","message":"listed"}],
"summary":{"files":1,"signed":1,"errors":1,"warnings":0,"passed":false},
"diff":{"old":"a","new":"b","electron":{"old":"","new":""},"app":{"old":"","new":""},
 "added":[],"removed":[],"updated":[],"changedSameVersion":[],"binaries":[],"fuses":[],
 "files":[{"path":"x","change":"added` + forge + `"}]}}`
	// ReadJSON refuses such a report now; a library that decodes one
	// itself still gets a clean rendering.
	if _, err := model.ReadJSON(strings.NewReader(in)); err == nil {
		t.Error("ReadJSON accepted a report with unknown kinds")
	}
	var r *model.Report
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		if err := Text(&b, r, Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, seq := range []string{"\x1b[1A", "\x1b[2K", "\x1b[8m", "\r", "\nPASS"} {
			if strings.Contains(out, seq) {
				t.Errorf("color %v: report holds %q:\n%s", color, seq, out)
			}
		}
	}
}
