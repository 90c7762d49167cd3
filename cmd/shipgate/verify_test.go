package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/verify"
)

// verifyFixture writes a small release: a PE signed by a test CA (whose
// root is written to root.pem beside the release), an unsigned PE and a
// text file.
func verifyFixture(t *testing.T) (dir, roots string) {
	t.Helper()
	base := t.TempDir()
	root := testpki.NewRoot(testpki.Spec{CommonName: "CLI Test Root", CA: true, MaxPathLen: -1})
	leaf := root.Issue(testpki.Spec{CommonName: "CLI Vendor", KeyN: 1})
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	blob, err := pefile.Sign(img, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{root}})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := pefile.Attach(img, pefile.Entry(blob))
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(base, "release")
	files := map[string][]byte{
		"app.exe":     signed,
		"plugin.dll":  img,
		"readme.txt":  []byte("hello\n"),
		"lib/x.dylib": machofile.Build(machofile.Spec{}),
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	roots = filepath.Join(base, "root.pem")
	os.WriteFile(roots, root.PEM(), 0o644)
	return dir, roots
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVerifyCLI(t *testing.T) {
	dir, roots := verifyFixture(t)

	t.Run("json report, gate passes with warnings", func(t *testing.T) {
		code, out, errOut := runCLI(t, "verify", "--roots", roots, "--format", "json", dir)
		if code != exitPass {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
		var r verify.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if r.Summary.Files != 4 || r.Summary.Signed != 1 || r.Summary.Warnings != 2 || !r.Summary.Passed {
			t.Errorf("summary %+v", r.Summary)
		}
		if errOut != "" {
			t.Errorf("stderr not empty off a terminal: %q", errOut)
		}
	})
	t.Run("flags after the path", func(t *testing.T) {
		code, out, errOut := runCLI(t, "verify", dir, "--format", "json", "--roots", roots)
		if code != exitPass || !strings.Contains(out, `"status": "valid"`) {
			t.Errorf("exit %d, stderr %s:\n%s", code, errOut, out)
		}
		if code, _, errOut := runCLI(t, "verify", "--format", "json", "--", dir); code != exitPass {
			t.Errorf("-- before the path: exit %d: %s", code, errOut)
		}
	})
	t.Run("fail-on warning", func(t *testing.T) {
		if code, _, _ := runCLI(t, "verify", "--roots", roots, "--fail-on", "warning", dir); code != exitFail {
			t.Errorf("exit %d, want 1", code)
		}
	})
	t.Run("without the root the signature is untrusted", func(t *testing.T) {
		_, out, _ := runCLI(t, "verify", "--format", "json", filepath.Join(dir, "app.exe"))
		if !strings.Contains(out, `"status": "untrusted"`) || !strings.Contains(out, `"path": "app.exe"`) {
			t.Errorf("report:\n%s", out)
		}
	})
	t.Run("policy failing the gate, sarif to a file", func(t *testing.T) {
		pol := filepath.Join(t.TempDir(), "policy.yaml")
		os.WriteFile(pol, []byte("rules:\n  - match: ['**/*.dll']\n    require: valid\n"), 0o644)
		out := filepath.Join(t.TempDir(), "out.sarif")
		code, stdout, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--format", "sarif", "-o", out, dir)
		if code != exitFail {
			t.Errorf("exit %d, want 1 (stderr %s)", code, errOut)
		}
		if stdout != "" {
			t.Errorf("stdout not empty with -o: %q", stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(b), `"ruleId": "policy/unsigned"`) || !strings.Contains(string(b), `"version": "2.1.0"`) {
			t.Errorf("sarif %v:\n%s", err, b)
		}
	})
	t.Run("text report", func(t *testing.T) {
		code, out, _ := runCLI(t, "verify", "--roots", roots, dir)
		if code != exitPass || !strings.Contains(out, "plugin.dll") || !strings.HasPrefix(lastLine(out), "PASS: 4 files (1 signed)") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("colour written off a terminal")
		}
	})
	t.Run("revocation policy flag", func(t *testing.T) {
		if code, _, errOut := runCLI(t, "verify", "--revocation-policy", "windows", dir); code != exitPass {
			t.Errorf("exit %d: %s", code, errOut)
		}
		if code, _, errOut := runCLI(t, "verify", "--revocation-policy", "lenient", dir); code != exitError || !strings.Contains(errOut, "revocationPolicy") {
			t.Errorf("bad revocation policy: exit %d: %s", code, errOut)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestVerifyCLIErrors(t *testing.T) {
	dir, _ := verifyFixture(t)
	badPolicy := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(badPolicy, []byte("failOn: error\nrulez: []\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no path", []string{"verify"}, "no PATH"},
		{"missing input", []string{"verify", filepath.Join(dir, "nope")}, "no such file"},
		{"bad format", []string{"verify", "--format", "xml", dir}, "format"},
		{"bad fail-on", []string{"verify", "--fail-on", "sometimes", dir}, "failOn"},
		{"unknown flag", []string{"verify", "--frobnicate", dir}, "frobnicate"},
		{"policy with an unknown key", []string{"verify", "--policy", badPolicy, dir}, "bad.yaml:2: unknown key \"rulez\""},
		{"missing policy", []string{"verify", "--policy", badPolicy + ".missing", dir}, "policy"},
		{"missing roots", []string{"verify", "--roots", badPolicy + ".pem", dir}, "roots"},
		{"missing blocklist", []string{"verify", "--blocklist", badPolicy + ".csv", dir}, "blocklist"},
		{"unwritable output", []string{"verify", "-o", filepath.Join(dir, "no", "such", "dir", "r.json"), dir}, "writing the report"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, c.args...)
			if code != exitError {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q does not mention %q", errOut, c.want)
			}
		})
	}
	if code, _, errOut := runCLI(t, "verify", "-h"); code != exitPass || !strings.Contains(errOut, "usage: shipgate verify") {
		t.Errorf("-h: exit %d, %q", code, errOut)
	}
}
