package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
)

const verdictPolicy = `rules:
  - match: ["dist/*.dll"]
    sigstore:
      trustedRoot: sigstore/trusted_root.json
      certificateIdentity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
      certificateOidcIssuer: https://token.actions.githubusercontent.com
`

// TestAttackSigstoreFailedVerdict: a release pipeline that gates its builds
// signs each gate's verification summary with Sigstore, under the same
// workflow identity a sigstore rule pins. The summary of a build it FAILED
// is a DSSE bundle that verifies, names the trojanized file's digest among
// its subjects, and comes from the pinned identity: put beside that file as
// its .sigstore.json, it passed for the file's signature. A summary whose
// verificationResult is not PASSED is a verdict against the file now, and
// policy/sigstore-invalid.
func TestAttackSigstoreFailedVerdict(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		predicate string
		result    string
		fails     bool
	}{
		{"vsa", "FAILED", true}, {"vsa", "", true}, {"vsa", "PASSED", false},
		{"test", "FAILED", true}, {"test", "WARNED", true}, {"test", "PASSED", false},
	} {
		art := []byte("a trojanized ffmpeg.dll")
		sum := sha256.Sum256(art)
		subject := `"subject": [{"name": "dist/ffmpeg.dll", "digest": {"sha256": "` + hex.EncodeToString(sum[:]) + `"}}]`
		stmt := []byte(`{"_type": "https://in-toto.io/Statement/v1", ` + subject + `,
 "predicateType": "https://slsa.dev/verification_summary/v1",
 "predicate": {"verifier": {"id": "https://github.com/shipgate/shipgate"}, "resourceUri": "release",
  "policy": {"uri": "urn:shipgate:policy:builtin"}, "verificationResult": "` + c.result + `", "verifiedLevels": ["FAILED"]}}`)
		if c.predicate == "test" {
			stmt = []byte(`{"_type": "https://in-toto.io/Statement/v1", ` + subject + `,
 "predicateType": "https://in-toto.io/attestation/test-result/v0.1",
 "predicate": {"result": "` + c.result + `", "configuration": [], "passedTests": [], "failedTests": ["scan"]}}`)
		}
		pol := verdictPolicy
		if c.predicate == "test" {
			pol += "      predicateTypes: [https://in-toto.io/attestation/test-result/v0.1]\n"
		}
		got := verdictRun(t, pol, art, stmt)
		if c.fails != (len(got) == 1 && strings.Contains(got[0], "verdict against the file")) {
			t.Errorf("%s result %q: sigstore-invalid findings %v, want failure %v", c.predicate, c.result, got, c.fails)
		}
	}
}

// verdictRun verifies a release holding art as dist/ffmpeg.dll, with a
// bundle that verifies as stmt, under the policy text pol, and returns the
// policy/sigstore-invalid findings.
func verdictRun(t *testing.T, pol string, art, stmt []byte) []string {
	t.Helper()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                      []byte(pol),
		"conf/sigstore/trusted_root.json":       sigstoreTestdata(t, "trusted_root.json"),
		"release/dist/ffmpeg.dll":               art,
		"release/dist/ffmpeg.dll.sigstore.json": []byte("{}"),
	})
	p, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Release(context.Background(), Options{Policy: p, Sigstore: &provenanceStub{statement: stmt}, Workers: 1}, filepath.Join(base, "release"))
	if err != nil {
		t.Fatal(err)
	}
	return findingsOf(r, RuleSigstoreInvalid)
}

// verdictStatement is an in-toto statement naming art with the predicate
// type pt and the predicate JSON pred.
func verdictStatement(art []byte, pt, pred string) []byte {
	sum := sha256.Sum256(art)
	return []byte(`{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "dist/ffmpeg.dll", "digest": {"sha256": "` +
		hex.EncodeToString(sum[:]) + `"}}], "predicateType": "` + pt + `", "predicate": ` + pred + `}`)
}

// TestAttackSigstoreOtherPredicateType: without provenance, a sigstore rule
// took any DSSE bundle naming the file as its signature. The release
// workflow (the pinned identity) also signs an SBOM and a vulnerability
// scan of every build, including builds it rejected: such a bundle beside a
// trojanized file passed. Only SLSA provenance and verification summaries
// count by default; predicateTypes names others.
func TestAttackSigstoreOtherPredicateType(t *testing.T) {
	t.Parallel()
	art := []byte("a trojanized ffmpeg.dll")
	withTypes := verdictPolicy + "      predicateTypes: [https://spdx.dev/Document, https://in-toto.io/attestation/test-result/v0.1]\n"
	for _, c := range []struct {
		name, pol, pt, pred string
		fails               bool
	}{
		{"spdx", verdictPolicy, "https://spdx.dev/Document", `{"spdxVersion": "SPDX-2.3"}`, true},
		{"vuln scan", verdictPolicy, "https://cosign.sigstore.dev/attestation/vuln/v1", `{"scanner": {"result": {}}}`, true},
		{"test result passed", verdictPolicy, "https://in-toto.io/attestation/test-result/v0.1", `{"result": "PASSED"}`, true},
		{"provenance v1", verdictPolicy, "https://slsa.dev/provenance/v1", `{}`, false},
		{"provenance v0.2", verdictPolicy, "https://slsa.dev/provenance/v0.2", `{}`, false},
		{"vsa passed", verdictPolicy, "https://slsa.dev/verification_summary/v1", `{"verificationResult": "PASSED"}`, false},
		{"spdx named", withTypes, "https://spdx.dev/Document", `{"spdxVersion": "SPDX-2.3"}`, false},
		{"test result named", withTypes, "https://in-toto.io/attestation/test-result/v0.1", `{"result": "PASSED"}`, false},
		{"test result named failed", withTypes, "https://in-toto.io/attestation/test-result/v0.1", `{"result": "FAILED"}`, true},
		{"provenance not named", withTypes, "https://slsa.dev/provenance/v1", `{}`, true},
	} {
		got := verdictRun(t, c.pol, art, verdictStatement(art, c.pt, c.pred))
		if c.fails != (len(got) == 1 && strings.Contains(got[0], "not a signature on the file")) {
			t.Errorf("%s: sigstore-invalid findings %v, want failure %v", c.name, got, c.fails)
		}
	}
}

// TestAttackSigstoreVerdictCaseFoldedKey: the verdict was read with
// encoding/json, which matches keys without case and keeps the last one,
// while sigstore-go reads the statement with protojson: a FAILED summary
// carrying "VerificationResult": "PASSED" after its verificationResult
// (inside the free-form predicate, which protojson keeps as is) read as
// PASSED here. A statement with keys equal but for case fails.
func TestAttackSigstoreVerdictCaseFoldedKey(t *testing.T) {
	t.Parallel()
	art := []byte("a trojanized ffmpeg.dll")
	stmt := verdictStatement(art, "https://slsa.dev/verification_summary/v1", `{"verificationResult": "FAILED", "VerificationResult": "PASSED"}`)
	if got := verdictRun(t, verdictPolicy, art, stmt); len(got) != 1 || !strings.Contains(got[0], "ambiguous") {
		t.Errorf("sigstore-invalid findings %v, want one naming the ambiguous statement", got)
	}
}

func TestSigstorePredicateTypesValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		verdictPolicy + "      predicateTypes: [\"\"]\n",
		verdictPolicy + "      predicateTypes: [https://spdx.dev/Document]\n      provenance: {sourceRepository: github.com/acme/app}\n",
	} {
		if _, err := ParsePolicy([]byte(bad)); err == nil || !strings.Contains(err.Error(), "predicateTypes") {
			t.Errorf("policy %q: err %v, want one naming predicateTypes", bad, err)
		}
	}
}

// TestAttackSigstorePassedVerdictWithErrors: shipgate attest called a gate
// run with failOn never PASSED whatever it found, until it was fixed; such
// a summary, signed under the pinned workflow identity, says PASSED while
// its shipgateReport counts the errors (the trojanized file's). attest.Verify
// refuses it; beside the file as its .sigstore.json it still passed for
// the file's signature. It is a verdict against the file now; a PASSED
// summary whose report counts no errors is not.
func TestAttackSigstorePassedVerdictWithErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		errors string
		fails  bool
	}{{"3", true}, {"0", false}} {
		base := t.TempDir()
		art := []byte("a trojanized ffmpeg.dll")
		sum := sha256.Sum256(art)
		stmt := []byte(`{"_type": "https://in-toto.io/Statement/v1",
 "subject": [{"name": "dist/ffmpeg.dll", "digest": {"sha256": "` + hex.EncodeToString(sum[:]) + `"}}],
 "predicateType": "https://slsa.dev/verification_summary/v1",
 "predicate": {"verifier": {"id": "https://github.com/shipgate/shipgate"}, "resourceUri": "release",
  "policy": {"uri": "urn:shipgate:policy:builtin"}, "verificationResult": "PASSED", "verifiedLevels": ["SHIPGATE_POLICY_PASSED"],
  "shipgateReport": {"digest": {"sha256": "00"}, "summary": {"files": 1, "signed": 0, "errors": ` + c.errors + `, "warnings": 0, "passed": true}}}}`)
		writeTree(t, base, map[string][]byte{
			"conf/policy.yaml":                      []byte(verdictPolicy),
			"conf/sigstore/trusted_root.json":       sigstoreTestdata(t, "trusted_root.json"),
			"release/dist/ffmpeg.dll":               art,
			"release/dist/ffmpeg.dll.sigstore.json": []byte("{}"),
		})
		pol, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Release(context.Background(), Options{Policy: pol, Sigstore: &provenanceStub{statement: stmt}, Workers: 1}, filepath.Join(base, "release"))
		if err != nil {
			t.Fatal(err)
		}
		got := findingsOf(r, RuleSigstoreInvalid)
		if c.fails != (len(got) == 1 && strings.Contains(got[0], "counts "+c.errors+" errors")) {
			t.Errorf("errors %s: sigstore-invalid findings %v, want failure %v", c.errors, got, c.fails)
		}
	}
}
