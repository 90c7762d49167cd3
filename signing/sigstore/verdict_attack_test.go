package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing/attest"
)

// TestAttackVerifyBlobFailedVerdict: `shipgate verify-blob` exited 0 for a
// DSSE bundle whose statement was a FAILED verification summary of the
// file, or an SBOM of it, printing only the predicate type. The bundles
// verify (the signature is good); Result.NotASignature, which verify-blob
// and policy sigstore rules apply, refuses them and accepts provenance and
// PASSED summaries.
func TestAttackVerifyBlobFailedVerdict(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("acme-app-1.4.0.tgz bytes")
	sum := sha256.Sum256(artifact)
	stmt := func(pt, pred string) []byte {
		return []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"acme-app-1.4.0.tgz","digest":{"sha256":"` +
			hex.EncodeToString(sum[:]) + `"}}],"predicateType":"` + pt + `","predicate":` + pred + `}`)
	}
	for _, c := range []struct {
		name, pt, pred, why string
	}{
		{"vsa failed", attest.PredicateTypeVSA, `{"verificationResult":"FAILED"}`, `verificationResult is "FAILED"`},
		{"vsa without result", attest.PredicateTypeVSA, `{}`, `verificationResult is ""`},
		{"spdx", "https://spdx.dev/Document", `{"spdxVersion":"SPDX-2.3"}`, "predicate type"},
		{"vsa passed", attest.PredicateTypeVSA, `{"verificationResult":"PASSED"}`, ""},
		{"provenance", "https://slsa.dev/provenance/v1", `{"buildDefinition":{}}`, ""},
	} {
		b := f.dsseBundle(t, stmt(c.pt, c.pred), fixtureSAN, fixtureIssuer)
		res, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		why := res.NotASignature(nil)
		if (c.why == "") != (why == "") || !strings.Contains(why, c.why) {
			t.Errorf("%s: NotASignature = %q, want %q", c.name, why, c.why)
		}
	}
}
