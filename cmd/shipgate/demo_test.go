package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// keptDemo is one "shipgate demo --keep" run into a directory it creates,
// shared by TestDemo and TestDemoHintsRunFromCheckout, which only read what
// it printed and kept: each run builds, signs and verifies both releases.
// TestMain removes root.
var keptDemo struct {
	once           sync.Once
	root, dir      string
	code           int
	stdout, stderr string
}

// sharedDemo runs the demo on first use and returns its kept directory and
// its output; the test fails if the demo did not pass.
func sharedDemo(t *testing.T) (dir, stdout string) {
	t.Helper()
	keptDemo.once.Do(func() {
		root, err := os.MkdirTemp("", "shipgate-demo")
		if err != nil {
			keptDemo.code, keptDemo.stderr = exitError, err.Error()
			return
		}
		keptDemo.root, keptDemo.dir = root, filepath.Join(root, "kept")
		var out, errb bytes.Buffer
		keptDemo.code = run(context.Background(), []string{"demo", "--keep", keptDemo.dir}, nil, &out, &errb)
		keptDemo.stdout, keptDemo.stderr = out.String(), errb.String()
	})
	if keptDemo.code != exitPass {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", keptDemo.code, keptDemo.stdout, keptDemo.stderr)
	}
	return keptDemo.dir, keptDemo.stdout
}

// TestDemo runs the README's main job and then what its output suggests: the
// kept 1.4.1 release gated in SARIF fails with the four 3CX signals.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir, stdout := sharedDemo(t)
	var out, errb bytes.Buffer
	out.WriteString(stdout)
	for _, want := range []string{
		"acme-desktop-1.4.0 PASS", "acme-desktop-1.4.1 FAIL",
		"authenticode/cert-table-padding", "signer/blocklisted", "file/known-bad", "codesign/page-hash-mismatch",
		"diff/changed-same-version", "diff/signer-changed", "attestation for acme-desktop-1.4.0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// Summary-first text: the clean release's report is its verdict,
	// notes and signer table, with no signature block of a file without
	// findings; the whole demo stays short (with every block, as -v
	// prints them, it ran past 500 lines).
	clean, _, _ := strings.Cut(out.String(), "=== shipgate verify --policy policy.yaml acme-desktop-1.4.1")
	if strings.Contains(clean, "signer     CN=Developer ID Application") {
		t.Errorf("the clean release's report prints signature blocks of files without findings:\n%s", clean)
	}
	if n := strings.Count(out.String(), "\n"); n > 250 {
		t.Errorf("demo output is %d lines, want at most 250", n)
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
	if code := run(context.Background(), []string{"verify-attestation", "--any-subject", "--pub", filepath.Join(dir, "attest-pub.pem"),
		filepath.Join(dir, "acme-desktop-1.4.0.intoto.json")}, nil, &out, &errb); code != exitPass {
		t.Fatalf("verify-attestation: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// TestDemoHintsRunFromCheckout checks that the commands a kept demo
// suggests are run as README.md runs shipgate (go run ./cmd/shipgate) and
// give the verdicts the demo promises: the trojanized release fails, the
// clean release's attestation verifies.
func TestDemoHintsRunFromCheckout(t *testing.T) {
	t.Parallel()
	dir, stdout := sharedDemo(t)
	var out bytes.Buffer
	out.WriteString(stdout)
	_, hints, found := strings.Cut(out.String(), "kept in "+dir+"; try:\n")
	if !found {
		t.Fatalf("no hints in the demo's output:\n%s", out.String())
	}
	want := map[string]int{"verify": exitFail, "verify-attestation": exitPass}
	for _, l := range strings.Split(strings.TrimSuffix(hints, "\n"), "\n") {
		cmd, ok := strings.CutPrefix(l, "  go run ./cmd/shipgate ")
		if !ok {
			t.Errorf("hint %q does not run go run ./cmd/shipgate as README.md does", l)
			continue
		}
		args := strings.Fields(cmd)
		code, ok := want[args[0]]
		if !ok {
			t.Errorf("unexpected hint %q", l)
			continue
		}
		delete(want, args[0])
		var hout, herr bytes.Buffer
		if got := run(context.Background(), args, nil, &hout, &herr); got != code {
			t.Errorf("%s: exit %d, want %d\n%s%s", l, got, code, hout.String(), herr.String())
		}
	}
	if len(want) != 0 {
		t.Errorf("no hint for %v", want)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "go run ./cmd/shipgate demo --keep") {
		t.Errorf("README.md no longer runs the demo with go run ./cmd/shipgate; the hints should follow it")
	}
}

func TestDemoKeepMustBeEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--keep", dir}, nil, &out, &errb); code != exitPass {
		t.Fatalf("first run: exit %d: %s", code, errb.String())
	}
	if code := run(context.Background(), []string{"demo", "--keep", dir}, nil, &out, &errb); code != exitError {
		t.Fatalf("second run into the same directory: exit %d, want %d", code, exitError)
	}
}

// keptReport is the part of a JSON report the kept-directory tests read.
type keptReport struct {
	Files []struct {
		Path, Kind string
		Signatures []struct{ Status string }
	}
	Findings []struct{ Rule, Path, Severity string }
}

// verifyKept verifies the installer name of release ver in the kept demo
// directory dir under its policy, returning the exit code and report.
func verifyKept(t *testing.T, dir, ver, name string) (int, keptReport) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"verify", "--policy", filepath.Join(dir, "policy.yaml"), "--format", "json",
		filepath.Join(dir, "acme-desktop-"+ver, name)}, nil, &out, &errb)
	var rep keptReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%s: exit %d, %v\n%s", name, code, err, errb.String())
	}
	return code, rep
}

// TestDemoKeptMacInstallers: issue #15's "done when" for the demo. The
// kept directory holds a signed .dmg and .pkg of each release, named with
// its version; verified one by one under the demo's policy, 1.4.0's pass
// and 1.4.1's fail for the modified libffmpeg.dylib inside, while their
// own signatures stay valid.
func TestDemoKeptMacInstallers(t *testing.T) {
	t.Parallel()
	dir, _ := sharedDemo(t)
	const lib = ".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	for _, ver := range []string{"1.4.0", "1.4.1"} {
		for _, ext := range []string{"dmg", "pkg"} {
			name := "Acme Desktop-" + ver + "." + ext
			code, rep := verifyKept(t, dir, ver, name)
			signed := false
			for _, f := range rep.Files {
				signed = signed || f.Path == name && f.Kind == ext && len(f.Signatures) > 0 && f.Signatures[0].Status == "valid"
			}
			if !signed {
				t.Errorf("%s: not a validly signed %s", name, ext)
			}
			modified := false
			for _, f := range rep.Findings {
				modified = modified || f.Rule == "codesign/page-hash-mismatch" && strings.HasPrefix(f.Path, name+"/") && strings.HasSuffix(f.Path, lib)
			}
			if want := ver == "1.4.0"; (code == exitPass) != want || modified == want {
				t.Errorf("%s: exit %d, libffmpeg.dylib reported modified %v; findings %+v", name, code, modified, rep.Findings)
			}
		}
	}
}

// TestDemoKeptMSI: `shipgate demo --keep DIR` leaves a signed MSI of each
// release, named with its version (issue #14); verified alone under the
// kept policy, 1.4.0's is valid and passes, and 1.4.1's (signed with the
// revoked certificate) fails with file/known-bad on the trojanized
// ffmpeg.dll inside its cabinet. Only the demo package's own test checked
// the MSIs, never the kept directory.
func TestDemoKeptMSI(t *testing.T) {
	t.Parallel()
	dir, _ := sharedDemo(t)
	for _, ver := range []string{"1.4.0", "1.4.1"} {
		name := "Acme Desktop-" + ver + ".msi"
		code, rep := verifyKept(t, dir, ver, name)
		signed := false
		for _, f := range rep.Files {
			signed = signed || f.Path == name && f.Kind == "msi" && len(f.Signatures) == 1 && (f.Signatures[0].Status == "valid" || ver == "1.4.1")
		}
		if !signed { // 1.4.1's signing certificate is revoked, as 3CX's was
			t.Errorf("%s: not a signed msi (valid for 1.4.0); files %+v", name, rep.Files)
		}
		trojan := false
		for _, f := range rep.Findings {
			trojan = trojan || f.Rule == "file/known-bad" && f.Severity == "error" && strings.HasPrefix(f.Path, name+"/") && strings.HasSuffix(f.Path, "/ffmpeg.dll")
		}
		if want := ver == "1.4.0"; (code == exitPass) != want || trojan == want {
			t.Errorf("%s: exit %d, trojanized ffmpeg.dll reported %v; findings %+v", name, code, trojan, rep.Findings)
		}
	}
}
