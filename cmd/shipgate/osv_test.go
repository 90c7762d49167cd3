package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyOSVAndVEX checks --osv finds a vulnerable package inside a
// release and --vex turns it into a note that passes the gate.
func TestVerifyOSVAndVEX(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	put := func(p, s string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel := filepath.Join(root, "rel")
	put(filepath.Join(rel, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0"}`)
	put(filepath.Join(rel, "resources", "app", "node_modules", "@scope", "pkg", "package.json"), `{"name": "@scope/pkg", "version": "2.0.0"}`)
	osv := filepath.Join(root, "osv")
	put(filepath.Join(osv, "GHSA-aaaa-bbbb-cccc.json"), `{"id": "GHSA-aaaa-bbbb-cccc", "summary": "RCE in @scope/pkg",
  "affected": [{"package": {"ecosystem": "npm", "name": "@scope/pkg"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"fixed": "2.0.1"}]}]}],
  "database_specific": {"severity": "HIGH"}}`)
	code, out, errOut := runCLI(t, "verify", "--no-system-roots", "--osv", osv, rel)
	if code != exitFail || !strings.Contains(out, "vuln/known-vulnerable") || !strings.Contains(out, "@scope/pkg 2.0.0") {
		t.Fatalf("verify --osv: exit %d\n%s%s", code, out, errOut)
	}
	vex := filepath.Join(root, "app.openvex.json")
	put(vex, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc"},
  "products": [{"@id": "pkg:npm/%40scope/pkg@2.0.0"}], "status": "not_affected", "justification": "vulnerable_code_not_present"}]}`)
	code, out, errOut = runCLI(t, "verify", "--no-system-roots", "--osv", osv, "--vex", vex, rel)
	if code != exitPass || !strings.Contains(out, "vuln/not-affected") {
		t.Fatalf("verify --osv --vex: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "verify", "--vex", vex, rel); code != exitError || !strings.Contains(errOut, "vulnerabilities.osv") {
		t.Errorf("--vex without --osv: exit %d: %s", code, errOut)
	}
}
