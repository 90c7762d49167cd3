package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if _, err := verify.ParsePolicy([]byte("vulnerabilities:\n  vex: [a.json]\n")); err == nil {
		t.Fatal("vex without osv accepted")
	}
}

func TestReleaseOSVOnLoneBinaryIsNoError(t *testing.T) {
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
