package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/verify"
)

// vsaStatement is the part of a verification summary these tests read.
type vsaStatement struct {
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate struct {
		Policy struct {
			URI         string              `json:"uri"`
			Digest      map[string]string   `json:"digest"`
			Annotations map[string][]string `json:"annotations"`
		} `json:"policy"`
		ResourceURI string `json:"resourceUri"`
	} `json:"predicate"`
}

func readVSA(t *testing.T, env string) vsaStatement {
	t.Helper()
	payload, _ := envelopeStatement(t, env)
	var st vsaStatement
	if err := json.Unmarshal(payload, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// A VSA made by verify --policy P --attest-key K names P and the SHA-256 of
// its bytes, not the built-in policy.
func TestVerifyAttestNamesPolicyFileAndDigest(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	keys := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	out := t.TempDir()
	pol := filepath.Join(out, "release-policy.yaml")
	polBytes := []byte("failOn: error\nrules:\n  - match: ['**/*.txt']\n    require: none\n")
	if err := os.WriteFile(pol, polBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(out, "vsa.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--attest-key", keys.key, "--attest-out", env, dir); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st := readVSA(t, env)
	if st.Predicate.Policy.URI != "release-policy.yaml" || st.Predicate.Policy.Digest["sha256"] != sha256Hex(polBytes) {
		t.Errorf("policy = %+v, want release-policy.yaml with digest %s", st.Predicate.Policy, sha256Hex(polBytes))
	}

	// Without --policy, the built-in policy, without a digest.
	env = filepath.Join(out, "builtin.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, dir); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if p := readVSA(t, env).Predicate.Policy; p.URI != "urn:shipgate:policy:builtin" || p.Digest != nil {
		t.Errorf("policy without --policy = %+v", p)
	}
}

// TestAttackVerifyAttestHidesOverrides: verify --policy P --fail-on never
// passed a failing release, and its VSA said PASSED under P's digest alone,
// as if P had judged. The report's policy and the VSA's policy descriptor
// now list the flags given beside P (paths reduced as for resourceUri);
// without any, there is no annotation.
func TestAttackVerifyAttestHidesOverrides(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	keys := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	out := t.TempDir()
	pol := filepath.Join(out, "strict.yaml")
	if err := os.WriteFile(pol, []byte("failOn: note\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(out, "vsa.intoto.json")
	code, stdout, errOut := runCLI(t, "verify", "--policy", pol, "--roots", roots, "--fail-on", "never", "--format", "json",
		"--attest-key", keys.key, "--attest-out", env, dir)
	if code != exitPass {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r verify.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	want := []string{"--roots " + roots, "--fail-on never"}
	if r.Policy == nil || !slices.Equal(r.Policy.Overrides, want) {
		t.Errorf("report policy %+v, want overrides %q", r.Policy, want)
	}
	st := readVSA(t, env)
	want[0] = "--roots " + filepath.Base(roots)
	if got := st.Predicate.Policy.Annotations["shipgateOverrides"]; st.Predicate.Policy.URI != "strict.yaml" || !slices.Equal(got, want) {
		t.Errorf("VSA policy %+v, want strict.yaml with overrides %q", st.Predicate.Policy, want)
	}
	code, vout, errOut := runCLI(t, "verify-attestation", "--any-subject", "--pub", keys.pub, env)
	if code != exitPass || !strings.Contains(vout, "  overrides: --roots "+filepath.Base(roots)+", --fail-on never\n") {
		t.Errorf("verify-attestation: exit %d, %s\n%s", code, errOut, vout)
	}

	env = filepath.Join(out, "plain.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--policy", pol, "--attest-key", keys.key, "--attest-out", env, dir); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if p := readVSA(t, env).Predicate.Policy; p.Annotations != nil {
		t.Errorf("overrides recorded though none was given: %+v", p)
	}
}

// A release verified as a .zip is attested as that zip: one subject, the
// archive's digest, as docs/attest.md promises; not one subject per entry.
func TestVerifyAttestSubjectIsArchiveDigest(t *testing.T) {
	t.Parallel()
	dir, roots := verifyFixture(t)
	keys := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	out := t.TempDir()
	name := filepath.Join(out, "Acme-1.4.2.zip")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, entry := range []string{"app.exe", "plugin.dll", "readme.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, entry))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(entry)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	zipBytes, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(out, "zip.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, name); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st := readVSA(t, env)
	if len(st.Subject) != 1 || st.Subject[0].Name != "Acme-1.4.2.zip" || st.Subject[0].Digest["sha256"] != sha256Hex(zipBytes) {
		t.Errorf("subjects = %+v, want only Acme-1.4.2.zip with digest %s", st.Subject, sha256Hex(zipBytes))
	}
	if st.Predicate.ResourceURI != "Acme-1.4.2.zip" {
		t.Errorf("resourceUri = %q", st.Predicate.ResourceURI)
	}
	if code, vout, verr := runCLI(t, "verify-attestation", "--pub", keys.pub, "--subject", name, env); code != exitPass {
		t.Errorf("verify-attestation --subject the zip: exit %d: %s%s", code, vout, verr)
	}

	// Several inputs: the zip as itself (not entry by entry) beside the
	// files of the directory.
	env = filepath.Join(out, "both.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, name, dir); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var names []string
	for _, s := range readVSA(t, env).Subject {
		names = append(names, s.Name)
		if s.Name == "Acme-1.4.2.zip" && s.Digest["sha256"] != sha256Hex(zipBytes) {
			t.Errorf("zip subject digest %s, want %s", s.Digest["sha256"], sha256Hex(zipBytes))
		}
	}
	if !slices.Contains(names, "Acme-1.4.2.zip") || len(names) != 5 || slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "Acme-1.4.2.zip/") }) {
		t.Errorf("subjects of a zip and a directory = %q, want the zip and the directory's 4 files", names)
	}
	if code, vout, verr := runCLI(t, "verify-attestation", "--pub", keys.pub, "--subject", name, env); code != exitPass {
		t.Errorf("verify-attestation --subject the zip of two inputs: exit %d: %s%s", code, vout, verr)
	}

	// A directory is attested file by file.
	env = filepath.Join(out, "dir.intoto.json")
	if code, _, errOut := runCLI(t, "verify", "--roots", roots, "--attest-key", keys.key, "--attest-out", env, dir); code == exitError {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if st := readVSA(t, env); len(st.Subject) != 4 {
		t.Errorf("directory subjects = %+v, want its 4 files", st.Subject)
	}
}
