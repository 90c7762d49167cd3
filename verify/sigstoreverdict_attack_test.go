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
		base := t.TempDir()
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
		if c.fails != (len(got) == 1 && strings.Contains(got[0], "verdict against the file")) {
			t.Errorf("%s result %q: sigstore-invalid findings %v, want failure %v", c.predicate, c.result, got, c.fails)
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
