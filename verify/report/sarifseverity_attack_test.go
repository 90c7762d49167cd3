package report

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackSARIFErrorsBehindWarnings: GitHub code scanning stores only
// the first 5,000 results of a run, and SARIF results came in report
// order, by path. A release padded with 5,000 unsigned helpers under
// "a/" (each a warning under the default policy) pushed the one error, at
// "z/evil.exe", past the limit: the alert was never raised. Results are
// ordered errors first.
func TestAttackSARIFErrorsBehindWarnings(t *testing.T) {
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	for i := range 5000 {
		r.Findings = append(r.Findings, signing.Finding{Rule: "policy/unsigned", Severity: signing.SeverityWarning, Path: fmt.Sprintf("a/%04d.dll", i), Message: "unsigned", Signature: -1})
	}
	r.Findings = append(r.Findings,
		signing.Finding{Rule: "file/known-bad", Severity: signing.SeverityError, Path: "z/evil.exe", Message: "listed", Signature: -1},
		signing.Finding{Rule: "asar/unpacked", Severity: signing.SeverityNote, Path: "0.txt", Message: "n", Signature: -1})
	r.Finalize("")
	b := write(t, r, FormatSARIF, Options{})
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string
				Level  string
			}
		}
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != len(r.Findings) {
		t.Fatalf("%d results, want %d", len(res), len(r.Findings))
	}
	if res[0].RuleID != "file/known-bad" || res[0].Level != "error" {
		t.Errorf("first result %+v, want the error", res[0])
	}
	if last := res[len(res)-1]; last.Level != "note" {
		t.Errorf("last result %+v, want the note", last)
	}
}
