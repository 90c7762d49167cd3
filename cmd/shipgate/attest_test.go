package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// attestCLI runs shipgate with args and returns the exit status and output.
func attestCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// attestFixture writes a key pair, two release files and a passing and a
// failing report about them into a temporary directory.
type attestFixture struct {
	dir, key, pub, report, failed, fileA, fileB, outsider string
}

func newAttestFixture(t *testing.T, key crypto.Signer) attestFixture {
	t.Helper()
	dir := t.TempDir()
	w := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	f := attestFixture{dir: dir}
	f.key = w("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f.pub = w("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	a, b := []byte("MZ... Acme.exe"), []byte("MZ... ffmpeg.dll")
	f.fileA, f.fileB = w("Acme.exe", a), w("ffmpeg.dll", b)
	f.outsider = w("d3dcompiler_47.dll", []byte("MZ... not in the release"))
	hexsum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	report := func(passed bool) []byte {
		return []byte(fmt.Sprintf(`{"schemaVersion":1,"tool":{"name":"shipgate","version":"v0.3.0"},
"files":[{"path":"Acme.exe","size":%d,"sha256":"%s","kind":"pe"},{"path":"ffmpeg.dll","size":%d,"sha256":"%s","kind":"pe"}],
"findings":[],"summary":{"files":2,"signed":2,"errors":0,"warnings":0,"passed":%v}}`, len(a), hexsum(a), len(b), hexsum(b), passed))
	}
	f.report = w("report.json", report(true))
	f.failed = w("failed.json", report(false))
	return f
}

func TestAttestCLI(t *testing.T) {
	t.Parallel()
	f := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	env := filepath.Join(f.dir, "release.intoto.json")
	if code, _, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.report, "-o", env); code != exitPass {
		t.Fatalf("attest: exit %d: %s", code, stderr)
	}

	code, out, stderr := attestCLI(t, "verify-attestation", "--pub", f.pub, "--subject", f.fileA, env, "--subject", f.fileB)
	if code != exitPass {
		t.Fatalf("verify-attestation: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"PASSED", "https://slsa.dev/verification_summary/v1", `= subject "Acme.exe"`, `= subject "ffmpeg.dll"`, "SHA256:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := attestCLI(t, "verify-attestation", "--any-subject", "--format", "json", "--pub", f.pub, env); code != exitPass || !strings.Contains(out, `"verificationResult": "PASSED"`) {
		t.Errorf("json: exit %d:\n%s", code, out)
	}

	otherKey := newAttestFixture(t, testpki.Key(testpki.ECDSA, 1))
	tampered := filepath.Join(f.dir, "tampered.json")
	b, _ := os.ReadFile(env)
	if err := os.WriteFile(tampered, bytes.Replace(b, []byte(`"sig":"`), []byte(`"sig":"AAAA`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	failedEnv := filepath.Join(f.dir, "failed.intoto.json")
	if code, _, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.failed, "-o", failedEnv); code != exitPass {
		t.Fatalf("attest failed report: exit %d: %s", code, stderr)
	}

	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing subject", []string{"verify-attestation", "--pub", f.pub, "--subject", f.outsider, env}, exitFail, "d3dcompiler_47.dll"},
		{"wrong key", []string{"verify-attestation", "--any-subject", "--pub", otherKey.pub, env}, exitFail, "signed by another key"},
		{"tampered", []string{"verify-attestation", "--any-subject", "--pub", f.pub, tampered}, exitFail, "does not verify"},
		{"failed gate", []string{"verify-attestation", "--any-subject", "--pub", f.pub, failedEnv}, exitFail, "FAILED"},
		{"failed gate allowed", []string{"verify-attestation", "--any-subject", "--allow-failed", "--pub", f.pub, failedEnv}, exitPass, ""},
		{"not an envelope", []string{"verify-attestation", "--any-subject", "--pub", f.pub, f.report}, exitFail, "no payloadType"},
		{"no pub", []string{"verify-attestation", env}, exitError, "--pub"},
		{"unreadable envelope", []string{"verify-attestation", "--any-subject", "--pub", f.pub, filepath.Join(f.dir, "nope")}, exitError, "nope"},
		{"attest without report", []string{"attest", "--key", f.key}, exitError, "--report"},
		{"attest with a public key", []string{"attest", "--key", f.pub, "--report", f.report}, exitError, "unusable key"},
		{"attest a non-report", []string{"attest", "--key", f.key, "--report", f.pub}, exitError, "unusable report"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := attestCLI(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, c.code, stderr, c.stderr)
			}
		})
	}
}

func TestAttestCLIReproducible(t *testing.T) {
	// Ed25519 signs deterministically: with SOURCE_DATE_EPOCH the whole
	// envelope is reproducible.
	f := newAttestFixture(t, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	t.Setenv("SOURCE_DATE_EPOCH", "1774780200")
	var outs []string
	for range 2 {
		code, out, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.report)
		if code != exitPass {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("envelopes differ:\n%s\n%s", outs[0], outs[1])
	}
	env := filepath.Join(f.dir, "e.json")
	if err := os.WriteFile(env, []byte(outs[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := attestCLI(t, "verify-attestation", "--any-subject", "--pub", f.pub, env); code != exitPass || !strings.Contains(out, "2026-03-29T10:30:00Z") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

func TestAttestCLIEncryptedKey(t *testing.T) {
	key := testpki.Key(testpki.ECDSA, 2)
	f := newAttestFixture(t, key)
	enc, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(key, cryptoutils.StaticPasswordFunc([]byte("s3cret")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.key, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: enc}), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.report, "--password-env", "SHIPGATE_TEST_UNSET"); code != exitError || !strings.Contains(stderr, "$SHIPGATE_TEST_UNSET") {
		t.Errorf("no password: exit %d, stderr %s", code, stderr)
	}
	t.Setenv("SHIPGATE_KEY_PASSWORD", "s3cret")
	code, out, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.report)
	if code != exitPass {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	env := filepath.Join(f.dir, "e.json")
	if err := os.WriteFile(env, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := attestCLI(t, "verify-attestation", "--any-subject", "--pub", f.pub, env); code != exitPass {
		t.Errorf("verify: exit %d: %s", code, stderr)
	}
}

func TestVerifyBlobCLI(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "signing", "sigstore", "testdata")
	p := func(name string) string { return filepath.Join(dir, name) }
	keyless := []string{"verify-blob", "--bundle", p("keyless.sigstore.json"), "--trusted-root", p("trusted_root.json")}
	id := []string{"--certificate-identity", "release@example.com", "--certificate-oidc-issuer", "https://accounts.example.com"}
	cases := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"keyless", append(append(append([]string{}, keyless...), id...), p("artifact.txt")), exitPass, "release@example.com"},
		{"keyless regexp", append(append([]string{}, keyless...), "--certificate-identity-regexp", `.*@example\.com`, "--certificate-oidc-issuer-regexp", `https://accounts\..*`, p("artifact.txt")), exitPass, "TimestampAuthority"},
		{"keyless json", append(append(append([]string{}, keyless...), id...), "--format", "json", p("artifact.txt")), exitPass, `"san": "release@example.com"`},
		{"wrong identity", append(append([]string{}, keyless...), "--certificate-identity", "mallory@example.com", "--certificate-oidc-issuer", "https://accounts.example.com", p("artifact.txt")), exitFail, "certificate identity does not match"},
		{"wrong artifact", append(append(append([]string{}, keyless...), id...), p("trusted_root.json")), exitFail, "does not verify"},
		{"keyed", []string{"verify-blob", "--bundle", p("keyed.sigstore.json"), "--trusted-root", p("trusted_root.json"), "--key", p("keyed.pub.pem"), p("artifact.txt")}, exitPass, "key SHA256:"},
		{"no identity", append(append([]string{}, keyless...), p("artifact.txt")), exitError, "--certificate-identity"},
		{"key and identity", append(append(append([]string{}, keyless...), id...), "--key", p("keyed.pub.pem"), p("artifact.txt")), exitError, "exclude"},
		{"no file", append(append([]string{}, keyless...), id...), exitError, "FILE"},
		{"provenance of a message signature", append(append(append([]string{}, keyless...), id...), "--source-repository", "github.com/acme/app", p("artifact.txt")), exitFail, "not a SLSA provenance statement"},
		{"provenance bad regexp", append(append(append([]string{}, keyless...), id...), "--source-ref-regexp", "(", p("artifact.txt")), exitError, "sourceRefRegexp"},
		{"provenance other predicate type", append(append(append([]string{}, keyless...), id...), "--predicate-type", "https://slsa.dev/verification_summary/v1", p("artifact.txt")), exitError, "not a SLSA provenance type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := attestCLI(t, c.args...)
			if code != c.code || !strings.Contains(out+stderr, c.output) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant output containing %q", code, c.code, out, stderr, c.output)
			}
		})
	}
}

// TestAttackVerifyAttestationWithoutSubject: without --subject an
// attestation for any artifact verified, so a valid envelope for another
// release passed for the one the user holds. --subject (a file or
// sha256:HEX) is required unless --any-subject says otherwise, which
// prints the subjects named.
func TestAttackVerifyAttestationWithoutSubject(t *testing.T) {
	t.Parallel()
	f := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	env := filepath.Join(f.dir, "release.intoto.json")
	if code, _, stderr := attestCLI(t, "attest", "--key", f.key, "--report", f.report, "-o", env); code != exitPass {
		t.Fatalf("attest: exit %d: %s", code, stderr)
	}
	code, _, stderr := attestCLI(t, "verify-attestation", "--pub", f.pub, env)
	if code != exitError || !strings.Contains(stderr, "--subject") || !strings.Contains(stderr, "--any-subject") {
		t.Errorf("no subject: exit %d: %s", code, stderr)
	}
	code, out, stderr := attestCLI(t, "verify-attestation", "--any-subject", "--pub", f.pub, env)
	if code != exitPass || !strings.Contains(out, "not bound to an artifact") || !strings.Contains(out, "sha256:") {
		t.Errorf("--any-subject: exit %d: %s%s", code, out, stderr)
	}
	sum, err := attestFileSHA256(f.fileA)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := attestCLI(t, "verify-attestation", "--pub", f.pub, "--subject", "sha256:"+sum, env); code != exitPass {
		t.Errorf("--subject sha256:: exit %d: %s%s", code, out, stderr)
	}
	if code, _, stderr := attestCLI(t, "verify-attestation", "--pub", f.pub, "--subject", "sha256:"+strings.Repeat("0", 64), env); code != exitFail {
		t.Errorf("--subject of another digest: exit %d: %s", code, stderr)
	}
	if code, _, _ := attestCLI(t, "verify-attestation", "--pub", f.pub, "--any-subject", "--subject", f.fileA, env); code != exitError {
		t.Errorf("both flags: exit %d", code)
	}
}
