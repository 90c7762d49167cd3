package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing/attest"
)

// TestAttackStderrCICommand: verify-attestation's error quoted the
// summary's verifier ID as signed; one by another signer the key trusts,
// naming "##vso[task.setvariable …]", was a logging command to Azure
// Pipelines, which reads them anywhere in a job's output, setting a
// variable for the pipeline's later steps (and GitHub's runner reads
// "##[…]" so). Errors on standard error pass through report.Clean.
func TestAttackStderrCICommand(t *testing.T) {
	t.Parallel()
	f := newAttestFixture(t, testpki.Key(testpki.ECDSA, 0))
	keyPEM, err := os.ReadFile(f.key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := attest.ParseSigner(keyPEM, nil, attest.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stmt := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"Acme.exe","digest":{"sha256":"` + strings.Repeat("ab", 32) + `"}}],` +
		`"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{"verifier":{"id":"##vso[task.setvariable variable=gatePassed]true"},` +
		`"resourceUri":"x","policy":{"uri":"p"},"verificationResult":"PASSED","verifiedLevels":["SHIPGATE_GATE_PASSED"]}}`
	env, err := attest.SignPayload(attest.PayloadType, []byte(stmt), signer, attest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(f.dir, "other##[debug].intoto.json")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"verify-attestation", "--any-subject", "--pub", f.pub, name},
		{"render", filepath.Join(f.dir, "##vso[task.complete result=Succeeded]missing.json")},
	} {
		code, _, stderr := attestCLI(t, args...)
		if code == exitPass || stderr == "" {
			t.Fatalf("%s: exit %d, stderr %q", args[0], code, stderr)
		}
		if strings.Contains(stderr, "##vso[") || strings.Contains(stderr, "##[") {
			t.Errorf("%s: a CI command on standard error: %s", args[0], stderr)
		}
	}
}

// TestAttackJSONOutputCICommand: verify-attestation --format json and
// verify-blob --format json printed what a signed statement or a bundle
// says as encoding/json writes it, "##vso[…]" and "##[…]" included, to
// the CI log. writeJSON writes each "##" as "#\u0023".
func TestAttackJSONOutputCICommand(t *testing.T) {
	var out strings.Builder
	e := &env{stdout: &out}
	v := attest.Predicate{VerifierID: "##vso[task.setvariable variable=gatePassed]true", ResourceURI: "a##[debug]b"}
	if err := writeJSON(e, v); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "##") || !strings.Contains(out.String(), `#\u0023vso[`) {
		t.Errorf("JSON output:\n%s", out.String())
	}
}
