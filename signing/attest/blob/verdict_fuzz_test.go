package blob

import (
	"encoding/json"
	"testing"
)

// FuzzNotASignature reads hostile statements as a verified DSSE bundle's:
// no panic, and a statement whose predicate type is not accepted, or that
// does not parse, is never a signature.
func FuzzNotASignature(f *testing.F) {
	f.Add([]byte(`{"predicateType": "https://slsa.dev/verification_summary/v1", "predicate": {"verificationResult": "PASSED"}}`))
	f.Add([]byte(`{"predicateType": "https://slsa.dev/verification_summary/v1", "predicate": {"verificationResult": "FAILED", "VerificationResult": "PASSED"}}`))
	f.Add([]byte(`{"predicateType": "https://slsa.dev/verification_summary/v1", "predicate": {"verificationResult": "PASSED", "shipgateReport": {"summary": {"errors": 2}}}}`))
	f.Add([]byte(`{"predicateType": "https://spdx.dev/Document", "predicate": {}}`))
	f.Add([]byte(`{"predicateType": "https://slsa.dev/provenance/v1"`))
	f.Fuzz(func(t *testing.T, stmt []byte) {
		r := &Result{Statement: stmt}
		why := r.NotASignature(nil)
		if why == "" && len(stmt) > 0 && !parsesAsObject(stmt) {
			t.Fatalf("a statement that does not parse is a signature: %q", stmt)
		}
		r.NotASignature([]string{PredicateTypeTestResult})
	})
}

// parsesAsObject reports whether b parses as JSON into an object.
func parsesAsObject(b []byte) bool {
	var v map[string]any
	return json.Unmarshal(b, &v) == nil
}
