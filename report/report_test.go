package report

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestImportsOnlyStdAndSigning keeps package report at the bottom of the
// house (DESIGN.md): verify, sbom, git and signing/attest import it, so it
// may import only the standard library and package signing.
func TestImportsOnlyStdAndSigning(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(imp, "/")
		if imp != "github.com/shipgate/shipgate/signing" && strings.Contains(first, ".") {
			t.Errorf("package report imports %s", imp)
		}
	}
}

func off(n int64) *int64 { return &n }

func TestCompareFindingsOrder(t *testing.T) {
	f := func(path, rule, commit string, offset *int64, msg string, sev signing.Severity) signing.Finding {
		return signing.Finding{Path: path, Rule: signing.Rule(rule), Commit: commit, Offset: offset, Message: msg, Severity: sev, Signature: -1}
	}
	want := []signing.Finding{
		f("", "git/date-anomaly", "aa", nil, "m", signing.SeverityWarning),
		f("", "git/date-anomaly", "bb", nil, "m", signing.SeverityWarning),
		f("a", "authenticode/x", "", nil, "z", signing.SeverityError),
		f("a", "authenticode/x", "", off(0), "a", signing.SeverityError),
		f("a", "authenticode/x", "", off(16), "a", signing.SeverityError),
		f("a", "authenticode/x", "", off(16), "b", signing.SeverityError),
		f("a", "authenticode/x", "", off(16), "b", signing.SeverityNote),
		f("a", "file/y", "", nil, "a", signing.SeverityNote),
		f("b", "authenticode/x", "", nil, "a", signing.SeverityNote),
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	SortFindings(got)
	for i := range want {
		if CompareFindings(got[i], want[i]) != 0 || got[i].Severity != want[i].Severity {
			t.Errorf("position %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if CompareFindings(want[0], want[0]) != 0 {
		t.Error("a finding does not compare equal to itself")
	}
}

func TestFinalize(t *testing.T) {
	r := &Report{
		Files: []File{
			{Path: "b", SHA256: Digest{2}, Kind: KindOther},
			{Path: "a", SHA256: Digest{1}, Kind: KindPE, Signatures: []signing.Signature{{Status: signing.StatusValid}}},
			{Path: "c", SHA256: Digest{3}, Kind: KindPE, Signatures: []signing.Signature{{Status: signing.StatusUnsigned}}},
		},
		Findings: []signing.Finding{
			{Rule: "x/b", Severity: signing.SeverityWarning, Path: "b"},
			{Rule: "x/a", Severity: signing.SeverityError, Path: "a"},
		},
	}
	r.Finalize(FailOnError)
	if r.SchemaVersion != SchemaVersion || r.Files[0].Path != "a" || r.Findings[0].Path != "a" {
		t.Errorf("not in report order: %+v", r)
	}
	if want := (Summary{Files: 3, Signed: 1, Errors: 1, Warnings: 1}); r.Summary != want {
		t.Errorf("summary = %+v, want %+v", r.Summary, want)
	}
	r.Findings = r.Findings[1:]
	r.Finalize(FailOnWarning)
	if r.Summary.Passed {
		t.Error("a warning passed --fail-on warning")
	}
	r.Finalize(FailOnError)
	if !r.Summary.Passed {
		t.Error("a warning failed --fail-on error")
	}
}

// TestOptionalSectionsOmitted: a verify report has no diff, commits or git
// key; a git audit without protected commits still writes "commits": [].
func TestOptionalSectionsOmitted(t *testing.T) {
	r := &Report{}
	r.Finalize("")
	b, _ := json.Marshal(r)
	for _, key := range []string{`"diff"`, `"commits"`, `"git"`, `"input"`, `"policy"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("%s written: %s", key, b)
		}
	}
	r.Commits, r.Git = []Commit{}, &GitAudit{}
	b, _ = json.Marshal(r)
	if !strings.Contains(string(b), `"commits":[]`) {
		t.Errorf("empty commit list not written: %s", b)
	}
}

func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]FailOn{"": FailOnError, "error": FailOnError, "warning": FailOnWarning, "note": FailOnNote, "never": FailOnNever} {
		if got, err := ParseFailOn(in); err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFailOn("fatal"); err == nil {
		t.Error("ParseFailOn(fatal): no error")
	}
}
