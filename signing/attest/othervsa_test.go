package attest

import (
	"encoding/json"
	"errors"
	"testing"
)

// slsaVerifierVSA is modeled on the verification summaries slsa-verifier
// writes: its own verifier ID and version key, a resource URI, input
// attestations and SLSA levels.
const slsaVerifierVSA = `{
  "_type": "https://in-toto.io/Statement/v1",
  "subject": [{"name": "ghcr.io/acme/app", "digest": {"sha256": "1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d"}}],
  "predicateType": "https://slsa.dev/verification_summary/v1",
  "predicate": {
    "verifier": {"id": "https://github.com/slsa-framework/slsa-verifier/v2/verify-vsa", "version": {"slsa-verifier": "v2.7.0"}},
    "timeVerified": "2026-11-30T10:00:00Z",
    "resourceUri": "ghcr.io/acme/app",
    "policy": {"uri": "https://example.com/policy"},
    "inputAttestations": [{"uri": "https://example.com/provenance", "digest": {"sha256": "aa"}}],
    "verificationResult": "PASSED",
    "verifiedLevels": ["SLSA_BUILD_LEVEL_3"],
    "slsaVersion": "1.0"
  }
}`

// TestVerifyOtherVerifiersVSA: a summary written by another verifier is
// refused unless its verifier ID is accepted, and then read.
func TestVerifyOtherVerifiersVSA(t *testing.T) {
	t.Parallel()
	k := testKeys(t)[0]
	signer, verifier := signerFor(t, k)
	env, err := SignPayload(PayloadType, []byte(slsaVerifierVSA), signer, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(b, verifier, VerifyOptions{}); !errors.Is(err, ErrPredicateType) {
		t.Fatalf("another verifier's summary accepted by default: %v", err)
	}
	v, err := Verify(b, verifier, VerifyOptions{VerifierIDs: []string{"https://github.com/slsa-framework/slsa-verifier/v2/verify-vsa"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Predicate.VerifierVersion != "v2.7.0" || v.Predicate.Result != ResultPassed || len(v.Predicate.VerifiedLevels) != 1 || v.Predicate.ResourceURI != "ghcr.io/acme/app" {
		t.Errorf("predicate %+v", v.Predicate)
	}
	// A prefix of an accepted ID is not accepted.
	if _, err := Verify(b, verifier, VerifyOptions{VerifierIDs: []string{"https://github.com/slsa-framework/slsa-verifier"}}); !errors.Is(err, ErrPredicateType) {
		t.Errorf("verifier ID matched by prefix: %v", err)
	}
}
