package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/sbom/vuln"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// vulnFixture writes a release with a vulnerable npm package, an OSV
// directory with its record and a policy naming the directory relative to
// itself.
func vulnFixture(t *testing.T) (rel, policy string) {
	t.Helper()
	root := t.TempDir()
	rel = filepath.Join(root, "release")
	writeFile(t, filepath.Join(rel, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0"}`)
	writeFile(t, filepath.Join(rel, "resources", "app", "node_modules", "minimist", "package.json"), `{"name": "minimist", "version": "1.2.5"}`)
	writeFile(t, filepath.Join(root, "gate", "osv", "GHSA-xvch-5gv4-984h.json"), `{"id": "GHSA-xvch-5gv4-984h", "aliases": ["CVE-2021-44906"],
  "summary": "Prototype Pollution in minimist",
  "affected": [{"package": {"ecosystem": "npm", "name": "minimist"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.6"}]}]}],
  "database_specific": {"severity": "CRITICAL"}}`)
	policy = filepath.Join(root, "gate", "policy.yaml")
	writeFile(t, policy, "vulnerabilities:\n  osv: [osv]\n")
	return rel, policy
}

func TestReleaseReportsKnownVulnerablePackage(t *testing.T) {
	t.Parallel()
	rel, policy := vulnFixture(t)
	pol, err := verify.LoadPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	r, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &vuln.Scanner{}}, rel)
	if err != nil {
		t.Fatal(err)
	}
	var hit *signing.Finding
	for i, f := range r.Findings {
		if f.Rule == vuln.RuleKnownVulnerable {
			hit = &r.Findings[i]
		}
	}
	if hit == nil || hit.Severity != signing.SeverityError || hit.Path != "resources/app/node_modules/minimist" || !strings.Contains(hit.Message, "fixed in 1.2.6") {
		t.Fatalf("finding %+v in %+v", hit, r.Findings)
	}
	if r.Summary.Passed {
		t.Error("a release with a critical vulnerability passed")
	}
}

func TestReleaseWithOSVPolicyNeedsScanner(t *testing.T) {
	t.Parallel()
	rel, policy := vulnFixture(t)
	pol, err := verify.LoadPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Release(context.Background(), verify.Options{Policy: pol}, rel); err == nil || !strings.Contains(err.Error(), "Options.Vulnerabilities") {
		t.Fatalf("error %v, want one asking for a scanner rather than a silent pass", err)
	}
}

func TestReleaseUnreadableOSVRecordFailsRun(t *testing.T) {
	t.Parallel()
	rel, policy := vulnFixture(t)
	writeFile(t, filepath.Join(filepath.Dir(policy), "osv", "broken.json"), `{"id": `)
	pol, err := verify.LoadPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &vuln.Scanner{}}, rel); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("error %v, want one naming the broken record", err)
	}
}

func TestPolicyVEXNeedsOSV(t *testing.T) {
	t.Parallel()
	if _, err := verify.ParsePolicy([]byte("vulnerabilities:\n  vex: [a.json]\n")); err == nil {
		t.Fatal("vex without osv accepted")
	}
}

func TestReleaseOSVOnLoneBinaryIsNoError(t *testing.T) {
	t.Parallel()
	_, policy := vulnFixture(t)
	f := filepath.Join(t.TempDir(), "tool.exe")
	writeFile(t, f, "not a PE, not a release")
	pol, err := verify.LoadPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &vuln.Scanner{}}, f); err != nil {
		t.Fatal(err)
	}
}

// vexRelease is vulnFixture with an OpenVEX document in the policy: the
// vulnerability is affected as of 2025-01-01, and not_affected as of
// 2025-12-01 (before the wall clock of any run of these tests).
func vexRelease(t *testing.T) (rel string, pol *verify.Policy) {
	t.Helper()
	rel, policy := vulnFixture(t)
	gate := filepath.Dir(policy)
	writeFile(t, filepath.Join(gate, "app.openvex.json"), `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2021-44906"}, "products": ["pkg:npm/minimist@1.2.5"], "status": "affected", "timestamp": "2025-01-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2021-44906"}, "products": ["pkg:npm/minimist@1.2.5"], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "timestamp": "2025-12-01T00:00:00Z"}]}`)
	writeFile(t, policy, "vulnerabilities:\n  osv: [osv]\n  vex: [app.openvex.json]\n")
	pol, err := verify.LoadPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	return rel, pol
}

// vulnRules returns the vuln findings' rules and severities.
func vulnRules(r *verify.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Rule), "vuln/") {
			out = append(out, string(f.Rule)+" "+f.Severity.String())
		}
	}
	return out
}

// TestReleaseVEXRankedAtOptionsTime: a release judged as of Options.Time
// (2025-06-01) is not cleared by a not_affected statement dated after it
// (2025-12-01): the earlier affected statement governs and the later one
// is reported. Judged now, the later statement governs.
func TestReleaseVEXRankedAtOptionsTime(t *testing.T) {
	t.Parallel()
	var _ verify.VulnerabilityScannerAt = (*vuln.Scanner)(nil)
	rel, pol := vexRelease(t)
	asOf := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	r, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &vuln.Scanner{}, Time: asOf}, rel)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(vulnRules(r), ",")
	if !strings.Contains(got, string(vuln.RuleKnownVulnerable)+" error") || !strings.Contains(got, string(vuln.RuleVEXFutureStatement)+" warning") {
		t.Fatalf("as of %s: vuln findings %s, want the vulnerability as an error and the later statement reported", asOf, got)
	}
	if r.Summary.Passed {
		t.Error("a statement made after Options.Time cleared the release")
	}
	now, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &vuln.Scanner{}}, rel)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(vulnRules(now), ","); strings.Contains(got, "error") || strings.Contains(got, string(vuln.RuleVEXFutureStatement)) {
		t.Fatalf("now: vuln findings %s, want the not_affected statement to govern", got)
	}
}

// scanOnly is a VulnerabilityScanner that cannot take an evaluation time.
type scanOnly struct{ s vuln.Scanner }

func (s *scanOnly) Scan(ctx context.Context, path string, osvDirs, vexFiles []string) ([]signing.Finding, error) {
	return s.s.Scan(ctx, path, osvDirs, vexFiles)
}

// TestReleaseVEXScannerWithoutTimeRefused: with Options.Time set and
// OpenVEX files in the policy, a scanner that would rank them at the wall
// clock fails the run instead.
func TestReleaseVEXScannerWithoutTimeRefused(t *testing.T) {
	t.Parallel()
	rel, pol := vexRelease(t)
	_, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &scanOnly{}, Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}, rel)
	if err == nil || !strings.Contains(err.Error(), "VulnerabilityScannerAt") {
		t.Fatalf("error %v, want one refusing the scanner", err)
	}
	if _, err := verify.Release(context.Background(), verify.Options{Policy: pol, Vulnerabilities: &scanOnly{}}, rel); err != nil {
		t.Fatalf("without Options.Time: %v", err)
	}
}
