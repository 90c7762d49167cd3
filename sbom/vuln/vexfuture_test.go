package vuln

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// vexAt is the evaluation time of the future-dated VEX tests.
var vexAt = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// scanVEX scans the lodash release with one VEX document at vexAt.
func scanVEX(t *testing.T, doc string) ([]signing.Finding, string) {
	t.Helper()
	vex := filepath.Join(t.TempDir(), "v.openvex.json")
	write(t, vex, doc)
	s := Scanner{Time: vexAt}
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{vex})
	if err != nil {
		t.Fatal(err)
	}
	return finds, vex
}

func rulesOf(fs []signing.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Rule)+" "+f.Severity.String())
	}
	return out
}

// TestVEXFarFutureNotAffectedDoesNotHideAffected: a not_affected statement
// dated 2099 does not outrank a real affected one, and is reported naming
// its file and index.
func TestVEXFarFutureNotAffectedDoesNotHideAffected(t *testing.T) {
	finds, vex := scanVEX(t, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected", "timestamp": "2026-12-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "not_affected", "justification": "inline_mitigations_already_exist", "timestamp": "2099-01-01T00:00:00Z"}]}`)
	got := strings.Join(rulesOf(finds), ",")
	if got != "vuln/vex-future-statement warning,vuln/known-vulnerable error" && got != "vuln/known-vulnerable error,vuln/vex-future-statement warning" {
		t.Fatalf("findings %v", finds)
	}
	for _, f := range finds {
		if f.Rule == RuleVEXFutureStatement && (!strings.Contains(f.Message, vex) || !strings.Contains(f.Message, "statements[1]") || !strings.Contains(f.Message, "2099-01-01")) {
			t.Errorf("the warning names neither the file, the statement nor its date: %s", f.Message)
		}
	}
}

// TestVEXFutureDocumentTimestamp: a document dated 2099 dates its undated
// statements: its not_affected does not outrank an affected one of another
// document dated in the past.
func TestVEXFutureDocumentTimestamp(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	write(t, real, `{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2026-11-01T00:00:00Z", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected"}]}`)
	fake := filepath.Join(dir, "fake.json")
	write(t, fake, `{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2099-01-01T00:00:00Z", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "fixed"}]}`)
	s := Scanner{Time: vexAt}
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{real, fake})
	if err != nil {
		t.Fatal(err)
	}
	got := rulesOf(finds)
	if len(got) != 2 || !strings.Contains(strings.Join(got, ","), "vuln/known-vulnerable error") || !strings.Contains(strings.Join(got, ","), "vuln/vex-future-statement warning") {
		t.Fatalf("findings %v", finds)
	}
}

// TestVEXNearNowStatementStillWins: a not_affected statement dated a
// minute after the evaluation time (clock skew) still outranks an older
// affected one, and is not reported.
func TestVEXNearNowStatementStillWins(t *testing.T) {
	near := vexAt.Add(time.Minute).Format(time.RFC3339)
	finds, _ := scanVEX(t, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected", "timestamp": "2026-12-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "not_affected", "justification": "inline_mitigations_already_exist", "timestamp": "`+near+`"}]}`)
	if len(finds) != 1 || finds[0].Rule != RuleNotAffected {
		t.Fatalf("findings %v", finds)
	}
}

// TestVEXFutureStatementsAmongThemselves: of two statements both dated in
// the future, the later in input order governs (their dates are not
// believed), and a lone future statement still applies.
func TestVEXFutureStatementsAmongThemselves(t *testing.T) {
	finds, _ := scanVEX(t, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected", "timestamp": "2199-01-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "not_affected", "justification": "inline_mitigations_already_exist", "timestamp": "2099-01-01T00:00:00Z"}]}`)
	got := strings.Join(rulesOf(finds), ",")
	if !strings.Contains(got, "vuln/not-affected note") || strings.Count(got, "vuln/vex-future-statement warning") != 2 {
		t.Fatalf("findings %v", finds)
	}
}
