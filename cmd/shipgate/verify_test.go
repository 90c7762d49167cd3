package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
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
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{root}})
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
	t.Parallel()
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
	t.Parallel()
	dir, _ := verifyFixture(t)
	badPolicy := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(badPolicy, []byte("failOn: error\nrulez: []\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no path", []string{"verify"}, "verify: a PATH is required"},
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
	if code, out, _ := runCLI(t, "verify", "-h"); code != exitPass || !strings.Contains(out, "usage: shipgate verify") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
}

// envelopeStatement decodes the in-toto statement of a DSSE envelope file
// (without verifying it) and returns it with the report digest it records.
func envelopeStatement(t *testing.T, name string) (payload []byte, reportSHA256 string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Payload []byte `json:"payload"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var st struct {
		Predicate struct {
			ShipgateReport struct {
				Digest struct {
					SHA256 string `json:"sha256"`
				} `json:"digest"`
			} `json:"shipgateReport"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(env.Payload, &st); err != nil {
		t.Fatalf("%s payload: %v", name, err)
	}
	return env.Payload, st.Predicate.ShipgateReport.Digest.SHA256
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestVerifyCLIAttest(t *testing.T) {
	dir, roots := verifyFixture(t)
	keys := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	t.Setenv("SOURCE_DATE_EPOCH", "1774780200")
	out := t.TempDir()

	t.Run("json report to a file", func(t *testing.T) {
		rep, env := filepath.Join(out, "report.json"), filepath.Join(out, "report.intoto.json")
		code, stdout, errOut := runCLI(t, "verify", "--roots", roots, "--format", "json", "-o", rep, "--attest-key", keys.key, "--attest-out", env, dir)
		if code != exitPass || stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errOut)
		}
		reportBytes, err := os.ReadFile(rep)
		if err != nil {
			t.Fatal(err)
		}
		payload, digest := envelopeStatement(t, env)
		if digest != sha256Hex(reportBytes) {
			t.Errorf("attested report digest %s, the report file's is %s", digest, sha256Hex(reportBytes))
		}
		code, vout, verr := runCLI(t, "verify-attestation", "--pub", keys.pub, "--subject", filepath.Join(dir, "app.exe"), "--subject", filepath.Join(dir, "readme.txt"), env)
		if code != exitPass || !strings.Contains(vout, "PASSED") {
			t.Errorf("verify-attestation: exit %d: %s%s", code, vout, verr)
		}
		// The same statement as shipgate attest makes of the report file.
		env2 := filepath.Join(out, "attest.intoto.json")
		if code, _, errOut := runCLI(t, "attest", "--key", keys.key, "--report", rep, "-o", env2); code != exitPass {
			t.Fatalf("attest: exit %d: %s", code, errOut)
		}
		if payload2, _ := envelopeStatement(t, env2); !bytes.Equal(payload, payload2) {
			t.Errorf("statements differ:\nverify: %s\nattest: %s", payload, payload2)
		}
	})
	t.Run("text report: the JSON report is attested", func(t *testing.T) {
		env := filepath.Join(out, "text.intoto.json")
		code, stdout, errOut := runCLI(t, "verify", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, dir)
		if code != exitPass || !strings.HasPrefix(lastLine(stdout), "PASS: 4 files") {
			t.Fatalf("exit %d, stderr %s:\n%s", code, errOut, stdout)
		}
		_, jsonReport, _ := runCLI(t, "verify", "--roots", roots, "--format", "json", dir)
		if _, digest := envelopeStatement(t, env); digest != sha256Hex([]byte(jsonReport)) {
			t.Errorf("attested digest %s, JSON report's %s", digest, sha256Hex([]byte(jsonReport)))
		}
		if code, vout, verr := runCLI(t, "verify-attestation", "--any-subject", "--pub", keys.pub, env); code != exitPass {
			t.Errorf("verify-attestation: exit %d: %s%s", code, vout, verr)
		}
	})
	t.Run("json report on stdout", func(t *testing.T) {
		env := filepath.Join(out, "stdout.intoto.json")
		code, stdout, errOut := runCLI(t, "verify", "--format", "json", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, dir)
		if code != exitPass {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, digest := envelopeStatement(t, env); digest != sha256Hex([]byte(stdout)) {
			t.Errorf("attested digest %s, stdout's %s", digest, sha256Hex([]byte(stdout)))
		}
	})
	t.Run("failed gate is attested as FAILED", func(t *testing.T) {
		pol := filepath.Join(out, "policy.yaml")
		os.WriteFile(pol, []byte("rules:\n  - match: ['**/*.dll']\n    require: valid\n"), 0o644)
		env := filepath.Join(out, "failed.intoto.json")
		code, _, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--format", "sarif", "-o", filepath.Join(out, "r.sarif"), "--attest-key", keys.key, "--attest-out", env, dir)
		if code != exitFail {
			t.Fatalf("exit %d, want 1: %s", code, errOut)
		}
		if code, _, verr := runCLI(t, "verify-attestation", "--any-subject", "--pub", keys.pub, env); code != exitFail || !strings.Contains(verr, "FAILED") {
			t.Errorf("verify-attestation of a failed gate: exit %d: %s", code, verr)
		}
		if code, _, verr := runCLI(t, "verify-attestation", "--any-subject", "--allow-failed", "--pub", keys.pub, env); code != exitPass {
			t.Errorf("--allow-failed: exit %d: %s", code, verr)
		}
	})
	t.Run("errors", func(t *testing.T) {
		env := filepath.Join(out, "e.intoto.json")
		for _, c := range []struct {
			name string
			args []string
			want string
		}{
			{"key without out", []string{"--attest-key", keys.key}, "--attest-out"},
			{"out without key", []string{"--attest-out", env}, "--attest-key"},
			{"both on stdout", []string{"--attest-key", keys.key, "--attest-out", "-"}, "standard output"},
			{"same file", []string{"--attest-key", keys.key, "--attest-out", env, "-o", env}, "same file"},
			{"missing key", []string{"--attest-key", keys.key + ".missing", "--attest-out", env}, "--attest-key"},
			{"public key", []string{"--attest-key", keys.pub, "--attest-out", env}, "attesting the report"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, _, errOut := runCLI(t, append(append([]string{"verify", "--roots", roots}, c.args...), dir)...)
				if code != exitError || !strings.Contains(errOut, c.want) {
					t.Errorf("exit %d (want 2), stderr %q, want it to mention %q", code, errOut, c.want)
				}
			})
		}
	})
}

// TestVerifyCLISigstorePolicy gates a release whose bundled tarball must
// carry its upstream's Sigstore bundle (signing/attest's committed fixtures).
func TestVerifyCLISigstorePolicy(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "..", "signing", "sigstore", "testdata")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(base, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pol := write("policy.yaml", []byte("rules:\n  - match: ['third_party/*.tar.gz']\n    sigstore:\n      trustedRoot: trusted_root.json\n"+
		"      certificateIdentity: release@example.com\n      certificateOidcIssuer: https://accounts.example.com\n"))
	write("trusted_root.json", read("trusted_root.json"))
	write("release/third_party/libffmpeg.tar.gz", read("artifact.txt"))
	write("release/third_party/libffmpeg.tar.gz.sigstore.json", read("keyless.sigstore.json"))
	rel := filepath.Join(base, "release")
	if code, out, errOut := runCLI(t, "verify", "--policy", pol, rel); code != exitPass {
		t.Fatalf("good bundle: exit %d: %s%s", code, out, errOut)
	}
	write("release/third_party/libffmpeg.tar.gz", append(read("artifact.txt"), '!'))
	code, out, _ := runCLI(t, "verify", "--policy", pol, "--format", "json", rel)
	if code != exitFail || !strings.Contains(out, `"rule": "policy/sigstore-invalid"`) {
		t.Errorf("tampered tarball: exit %d:\n%s", code, out)
	}
	os.Remove(filepath.Join(rel, "third_party", "libffmpeg.tar.gz.sigstore.json"))
	code, out, _ = runCLI(t, "verify", "--policy", pol, "--format", "json", rel)
	if code != exitFail || !strings.Contains(out, `"rule": "policy/sigstore-missing"`) {
		t.Errorf("missing bundle: exit %d:\n%s", code, out)
	}
	os.Remove(filepath.Join(base, "trusted_root.json"))
	if code, _, errOut := runCLI(t, "verify", "--policy", pol, rel); code != exitError || !strings.Contains(errOut, "trusted root") {
		t.Errorf("missing trusted root: exit %d: %s", code, errOut)
	}
}

// TestVerifyVerbose: the text report prints the signature block of a file
// without findings only with -v or --verbose; the verdict line comes first
// and last either way.
func TestVerifyVerbose(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	for _, c := range []struct {
		flag string
		want bool
	}{{"", false}, {"-v", true}, {"--verbose", true}} {
		args := []string{"verify", "--roots", roots, dir}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		code, out, errOut := runCLI(t, args...)
		if code != exitPass {
			t.Fatalf("%q: exit %d: %s\n%s", c.flag, code, errOut, out)
		}
		if got := strings.Contains(out, "\napp.exe  pe, ") && strings.Contains(out, "signer     CN=CLI Vendor"); got != c.want {
			t.Errorf("%q: signature block of app.exe shown %v, want %v:\n%s", c.flag, got, c.want, out)
		}
		if first, _, _ := strings.Cut(out, "\n"); first != lastLine(out) || !strings.HasPrefix(first, "PASS: 4 files (1 signed)") {
			t.Errorf("%q: verdict lines %q and %q", c.flag, first, lastLine(out))
		}
		if !strings.Contains(out, "\nsigners\n  CLI Vendor  ") {
			t.Errorf("%q: signer table:\n%s", c.flag, out)
		}
	}
}

// TestVerifyCLICatalog: --catalog makes the unsigned DLL it lists signed
// under `require: valid`; without it the gate fails; a missing catalog is a
// failed run.
func TestVerifyCLICatalog(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := testpki.NewRoot(testpki.Spec{CommonName: "CLI Test Root", CA: true, MaxPathLen: -1})
	leaf := root.Issue(testpki.Spec{CommonName: "CLI Vendor", KeyN: 1})
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := pefile.ImageDigest(img, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pefile.SignCatalog(pefile.CTL(testpki.Epoch, pefile.CatalogMember{Digest: d, Name: "plugin.dll"}), pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{root}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "release")
	os.MkdirAll(dir, 0o755)
	write := func(p string, b []byte) string {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(filepath.Join(dir, "plugin.dll"), img)
	catPath := write(filepath.Join(base, "vendor.cat"), cat)
	roots := write(filepath.Join(base, "root.pem"), root.PEM())
	pol := write(filepath.Join(base, "policy.yaml"), []byte("rules:\n  - match: ['**/*.dll']\n    require: valid\n"))
	code, out, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--no-system-roots", "--catalog", catPath, "--format", "json", dir)
	if code != exitPass || !strings.Contains(out, `"format": "authenticode-catalog"`) || !strings.Contains(out, `"catalog": "vendor.cat"`) {
		t.Errorf("with --catalog: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--no-system-roots", dir); code != exitFail || !strings.Contains(out, "policy/unsigned") {
		t.Errorf("without --catalog: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--catalog", filepath.Join(base, "missing.cat"), dir); code != exitError || !strings.Contains(errOut, "missing.cat") {
		t.Errorf("missing catalog: exit %d: %s", code, errOut)
	}
}
