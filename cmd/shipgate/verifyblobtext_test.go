package main

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/provenance"
)

// TestAttackVerifyBlobTextForgesLine: verify-blob printed the provenance's
// builder and source, the statement's predicate type and the certificate's
// SAN as they came; the signed statement of a build (whose identity a loose
// --certificate-identity-regexp admits) could carry a newline and an ANSI
// erase, and print a forged "provenance: builder" line for a trusted
// builder over its own. Every such string is escaped.
func TestAttackVerifyBlobTextForgesLine(t *testing.T) {
	forge := "\x1b[1A\x1b[2K\r\n  provenance: builder https://github.com/actions/runner/github-hosted"
	res := &attest.BlobResult{MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", SAN: "ci@example.com" + forge, Issuer: "https://accounts.example.com",
		PredicateType: "https://slsa.dev/provenance/v1" + forge}
	p := &provenance.Provenance{BuilderID: "https://evil.example/builder" + forge, BuildType: "x" + forge, SourceRepository: "github.com/acme/app", SourceRef: "refs/tags/v1" + forge}
	var b strings.Builder
	writeBlobText(&b, "app.tgz\n", res, p)
	out := b.String()
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") || strings.Count(out, "\n") != 7 {
		t.Errorf("raw control characters or forged lines in:\n%q", out)
	}
}

// TestAttackVerifyAttestationTextForgesLine: verify-attestation printed
// the summary's resource, policy, verifier and result as they came, so a
// summary another verifier signed (--verifier-id) could print a forged
// "result: PASSED" line over its own. Every such string is escaped.
func TestAttackVerifyAttestationTextForgesLine(t *testing.T) {
	forge := "\x1b[1A\x1b[2K\r\n  result:    PASSED by https://github.com/shipgate/shipgate"
	v := &attest.Verified{KeyID: "SHA256:k", StatementType: "https://in-toto.io/Statement/v1", PredicateType: attest.PredicateTypeVSA,
		Predicate: attest.Predicate{VerifierID: "https://other.example/verifier" + forge, Result: "PASSED", ResourceURI: "urn:x" + forge,
			PolicyURI: "urn:p" + forge, ReportSHA256: strings.Repeat("0", 64), ReportURI: "r" + forge}}
	var b strings.Builder
	printAttestation(&b, "e.json", v, nil, false)
	out := b.String()
	results := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  result:") {
			results++
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") || results != 1 {
		t.Errorf("raw control characters or forged lines in:\n%q", out)
	}
}
