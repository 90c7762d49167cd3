package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackSARIFTooManyResults: GitHub code scanning rejects a whole
// SARIF upload whose run holds more than 25,000 results, and the log held
// one result per finding: a release padded with 30,000 unsigned helpers
// (each a warning) had its one error, a known-bad file, never reach the
// alerts page, though the JSON report and the gate saw it. The log now
// holds at most MaxSARIFResults results, errors first, the last a
// policy/report-truncated result counting those left out; a report at the
// limit is written whole.
func TestAttackSARIFTooManyResults(t *testing.T) {
	t.Parallel()
	type result struct {
		RuleID  string
		Level   string
		Message struct{ Text string }
	}
	sarif := func(warnings int) []result {
		r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
		for i := range warnings {
			r.Findings = append(r.Findings, signing.Finding{Rule: "policy/unsigned", Severity: signing.SeverityWarning, Path: fmt.Sprintf("a/%05d.dll", i), Message: "unsigned", Signature: -1})
		}
		r.Findings = append(r.Findings,
			signing.Finding{Rule: "file/known-bad", Severity: signing.SeverityError, Path: "z/evil.exe", Message: "listed", Signature: -1},
			signing.Finding{Rule: "asar/unpacked", Severity: signing.SeverityNote, Path: "0.txt", Message: "n", Signature: -1})
		r.Finalize("")
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct{ Rules []struct{ ID string } }
				}
				Results []result
			}
		}
		if err := json.Unmarshal(write(t, r, FormatSARIF, Options{}), &log); err != nil {
			t.Fatal(err)
		}
		if n := len(log.Runs[0].Results); n > MaxSARIFResults {
			t.Fatalf("%d results, over the limit of %d", n, MaxSARIFResults)
		}
		for _, res := range log.Runs[0].Results {
			if !slices.ContainsFunc(log.Runs[0].Tool.Driver.Rules, func(r struct{ ID string }) bool { return r.ID == res.RuleID }) {
				t.Fatalf("result of rule %s, which the driver does not list", res.RuleID)
			}
		}
		return log.Runs[0].Results
	}
	res := sarif(30000)
	if len(res) != MaxSARIFResults {
		t.Fatalf("%d results, want %d", len(res), MaxSARIFResults)
	}
	if res[0].RuleID != "file/known-bad" || res[0].Level != "error" {
		t.Errorf("first result %+v, want the error", res[0])
	}
	last := res[len(res)-1]
	if last.RuleID != string(RuleReportTruncated) || last.Level != "warning" ||
		!strings.Contains(last.Message.Text, "5003 more findings (0 errors, 5002 warnings, 1 notes)") {
		t.Errorf("last result %+v, want policy/report-truncated counting 5,003 left out", last)
	}
	if res := sarif(MaxSARIFResults - 2); len(res) != MaxSARIFResults || res[len(res)-1].RuleID != "asar/unpacked" {
		t.Errorf("a report at the limit: %d results, last %+v", len(res), res[len(res)-1])
	}
}
