package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the README's main job and then what its output suggests: the
// kept 1.4.1 release gated in SARIF fails with the four 3CX signals.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kept")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--keep", dir}, nil, &out, &errb); code != exitPass {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"acme-desktop-1.4.0 PASS", "acme-desktop-1.4.1 FAIL",
		"authenticode/cert-table-padding", "signer/blocklisted", "file/known-bad", "codesign/page-hash-mismatch",
		"diff/changed-same-version", "diff/signer-changed", "attestation for acme-desktop-1.4.0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}

	out.Reset()
	errb.Reset()
	code := run(context.Background(), []string{"verify", "--policy", filepath.Join(dir, "policy.yaml"), "--format", "sarif",
		filepath.Join(dir, "acme-desktop-1.4.1")}, nil, &out, &errb)
	if code != exitFail {
		t.Fatalf("verify of the trojanized release: exit %d, want %d\n%s", code, exitFail, errb.String())
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &sarif); err != nil || len(sarif.Runs) != 1 {
		t.Fatalf("SARIF output does not parse (%v):\n%s", err, out.String())
	}
	got := map[string]bool{}
	for _, r := range sarif.Runs[0].Results {
		got[r.RuleID] = true
	}
	for _, want := range []string{"authenticode/cert-table-padding", "signer/blocklisted", "file/known-bad", "codesign/page-hash-mismatch"} {
		if !got[want] {
			t.Errorf("SARIF results lack %s (have %v)", want, got)
		}
	}

	out.Reset()
	if code := run(context.Background(), []string{"verify", "--policy", filepath.Join(dir, "policy.yaml"),
		filepath.Join(dir, "acme-desktop-1.4.0")}, nil, &out, &errb); code != exitPass {
		t.Fatalf("verify of the clean release: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"verify-attestation", "--pub", filepath.Join(dir, "attest-pub.pem"),
		filepath.Join(dir, "acme-desktop-1.4.0.intoto.json")}, nil, &out, &errb); code != exitPass {
		t.Fatalf("verify-attestation: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func TestDemoKeepMustBeEmpty(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--keep", dir}, nil, &out, &errb); code != exitPass {
		t.Fatalf("first run: exit %d: %s", code, errb.String())
	}
	if code := run(context.Background(), []string{"demo", "--keep", dir}, nil, &out, &errb); code != exitError {
		t.Fatalf("second run into the same directory: exit %d, want %d", code, exitError)
	}
}
