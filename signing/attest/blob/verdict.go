package blob

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Predicate types a DSSE bundle may hold and still count as a signature on
// its subjects: SLSA provenance (v1 and v0.2), which says how the subjects
// were built, and a SLSA verification summary, which says they passed a
// verifier. An in-toto test result counts only where a caller names it.
const (
	PredicateTypeSLSAProvenanceV1  = "https://slsa.dev/provenance/v1"
	PredicateTypeSLSAProvenanceV02 = "https://slsa.dev/provenance/v0.2"
	PredicateTypeVSA               = "https://slsa.dev/verification_summary/v1"
	PredicateTypeTestResult        = "https://in-toto.io/attestation/test-result/v0.1"
)

// SignaturePredicateTypes are the predicate types [Result.NotASignature]
// accepts when its caller names none.
var SignaturePredicateTypes = []string{PredicateTypeSLSAProvenanceV1, PredicateTypeSLSAProvenanceV02, PredicateTypeVSA}

// NotASignature says why a verified bundle is not a signature on the file
// whose digest it names, or returns "" when it is one. A message signature
// signs the file itself. A DSSE bundle only names the file among the
// subjects of a statement, and what the statement says of them decides:
// its predicate type must be one of accepted (empty: the
// [SignaturePredicateTypes]), since an SBOM, a vulnerability scan or a
// failed build's record, signed by the same workflow identity, is no
// approval of the file; and a verdict — a verification summary whose
// verificationResult, or a test result whose result, is not PASSED — is a
// verdict against the file, whatever types are accepted, as is a shipgate
// summary that says PASSED while its shipgateReport counts errors.
func (r *Result) NotASignature(accepted []string) string {
	if r == nil || len(r.Statement) == 0 {
		return ""
	}
	var st struct {
		PredicateType string `json:"predicateType"`
		Predicate     struct {
			VerificationResult *string `json:"verificationResult"`
			Result             *string `json:"result"`
			ShipgateReport     struct {
				Summary struct {
					Errors int `json:"errors"`
				} `json:"summary"`
			} `json:"shipgateReport"`
		} `json:"predicate"`
	}
	// encoding/json matches keys without case and keeps the last: a
	// "VerificationResult" after the "verificationResult" a protojson
	// reader sees would decide here. CheckJSON refuses such documents.
	if err := CheckJSON(r.Statement); err != nil {
		return fmt.Sprintf("its statement is ambiguous JSON: %v", err)
	}
	if err := json.Unmarshal(r.Statement, &st); err != nil {
		return fmt.Sprintf("its statement does not parse: %v", err)
	}
	if len(accepted) == 0 {
		accepted = SignaturePredicateTypes
	}
	if !slices.Contains(accepted, st.PredicateType) {
		return fmt.Sprintf("it holds a statement of predicate type %q, not one of %q: a statement of that type says something of the file, it does not approve it", st.PredicateType, accepted)
	}
	var field string
	var value *string
	switch st.PredicateType {
	case PredicateTypeVSA:
		field, value = "verificationResult", st.Predicate.VerificationResult
	case PredicateTypeTestResult:
		field, value = "result", st.Predicate.Result
	default:
		return ""
	}
	if value == nil || *value != "PASSED" {
		v := ""
		if value != nil {
			v = *value
		}
		return fmt.Sprintf("it is a verdict against the file, not a signature on it: a %s statement whose %s is %q", st.PredicateType, field, v)
	}
	if n := st.Predicate.ShipgateReport.Summary.Errors; st.PredicateType == PredicateTypeVSA && n > 0 {
		// Signed before shipgate attest refused to call a gate that could
		// not fail (failOn never) PASSED; attest.Verify refuses it too
		// (verify's TestAttackSigstorePassedVerdictWithErrors).
		return fmt.Sprintf("it is a verdict against the file, not a signature on it: a %s statement whose verificationResult is PASSED but whose shipgateReport counts %d errors", st.PredicateType, n)
	}
	return ""
}
