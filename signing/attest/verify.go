package attest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// VerifyOptions controls [Verify]. The zero value verifies the envelope and
// the statement and requires a PASSED result.
type VerifyOptions struct {
	// Subjects must each be a subject of the statement: matched by SHA256
	// (hex, either case), and also by Name when Name is set.
	Subjects []Subject
	// AllowFailed accepts a summary whose verificationResult is FAILED. Its
	// Verified.Predicate.Result then says so.
	AllowFailed bool
	// VerifierIDs are the accepted predicate verifier.id values, so that
	// summaries written by other verifiers (slsa-verifier's
	// https://github.com/slsa-framework/slsa-verifier/v2/…) can be checked;
	// empty accepts shipgate's (VerifierID) only. The ID is compared
	// exactly: whoever holds the key can write any ID, so the key, not the
	// ID, says who verified.
	VerifierIDs []string
}

// Verified is what [Verify] established about an envelope.
type Verified struct {
	// KeyID is the [KeyID] of the key that verified.
	KeyID string `json:"keyId"`
	// SignatureIndex is the index of the signature that verified.
	SignatureIndex int `json:"signatureIndex"`
	// PayloadType is the envelope's (authenticated) payload type.
	PayloadType string `json:"payloadType"`
	// StatementType and PredicateType are the statement's type URIs.
	StatementType string `json:"statementType"`
	PredicateType string `json:"predicateType"`
	// Subjects are all subjects of the statement, in statement order.
	Subjects []Subject `json:"subjects"`
	// Matched holds, for each of VerifyOptions.Subjects in order, the
	// statement subject it matched.
	Matched []Subject `json:"matched,omitempty"`
	// Predicate is the decoded verification summary.
	Predicate Predicate `json:"predicate"`
	// Statement is the verified payload, byte for byte.
	Statement []byte `json:"-"`
}

// Verify checks a DSSE envelope made by [Sign] with verifier, in this order,
// and fails closed at the first problem:
//
//  1. the envelope parses strictly ([ParseEnvelope]; [ErrMalformed],
//     [ErrNoSignatures]);
//  2. its payloadType is application/vnd.in-toto+json ([ErrPayloadType]);
//  3. a signature verifies over the DSSE PAE with verifier. Signatures with an
//     empty keyid or one naming another key are tried too; a signature that
//     names this key must verify ([ErrSignature]); a signature that verifies
//     while naming another key is refused ([ErrKeyIDMismatch]); when every
//     signature names another key, [ErrWrongKey];
//  4. the payload is an in-toto v1 Statement ([ErrStatementType]) that parses
//     strictly and validates ([ErrMalformed]), with predicate type SLSA VSA v1
//     and verifier shipgate ([ErrPredicateType]);
//  5. each of opts.Subjects is a subject ([ErrSubjectMissing]);
//  6. verificationResult is PASSED, and the shipgate report it summarises
//     has no errors, unless opts.AllowFailed ([ErrNotPassed]; the
//     authenticated *Verified is returned with this error).
//
// Nothing from the payload is interpreted before step 3 succeeds.
func Verify(envelope []byte, verifier signature.Verifier, opts VerifyOptions) (*Verified, error) {
	if verifier == nil {
		return nil, fmt.Errorf("%w: no verifier", ErrKey)
	}
	env, err := ParseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("%w: %q, want %q", ErrPayloadType, env.PayloadType, PayloadType)
	}
	pub, err := verifier.PublicKey()
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	keyID, err := KeyID(pub)
	if err != nil {
		return nil, err
	}
	idx, err := verifySignatures(env, verifier, keyID)
	if err != nil {
		return nil, err
	}
	v := &Verified{KeyID: keyID, SignatureIndex: idx, PayloadType: env.PayloadType, Statement: env.Payload}
	if err := parseStatement(env.Payload, v, opts.VerifierIDs); err != nil {
		return nil, err
	}
	if err := matchSubjects(v, opts.Subjects); err != nil {
		return nil, err
	}
	if v.Predicate.Result != ResultPassed && !opts.AllowFailed {
		return v, fmt.Errorf("%w: verificationResult is %s", ErrNotPassed, v.Predicate.Result)
	}
	if n := v.Predicate.ReportErrors; n > 0 && !opts.AllowFailed {
		// Written before shipgate attest refused to call such a run
		// PASSED: the gate ran with failOn never.
		return v, fmt.Errorf("%w: verificationResult is PASSED, but the report it summarises has %d errors (a gate that could not fail: failOn never)", ErrNotPassed, n)
	}
	return v, nil
}

// verifySignatures applies step 3 of Verify and returns the index of the
// signature that verified. Every signature is tried, so that a relabelled
// signature is reported as such wherever it sits in the list.
func verifySignatures(env *Envelope, verifier signature.Verifier, keyID string) (int, error) {
	pae := PAE(env.PayloadType, env.Payload)
	good, badOurs := -1, -1
	var badErr error
	var otherIDs []string
	for i, s := range env.Signatures {
		err := verifier.VerifySignature(bytes.NewReader(s.Sig), bytes.NewReader(pae))
		ours := s.KeyID == "" || s.KeyID == keyID
		switch {
		case err == nil && !ours:
			return -1, fmt.Errorf("%w: signature %d verifies with key %s but is labelled %q: signatures were reordered or relabelled", ErrKeyIDMismatch, i, keyID, s.KeyID)
		case err == nil:
			if good < 0 {
				good = i
			}
		case s.KeyID == keyID:
			if badOurs < 0 {
				badOurs, badErr = i, err
			}
		case s.KeyID != "":
			otherIDs = append(otherIDs, s.KeyID)
		}
	}
	switch {
	case badOurs >= 0:
		return -1, fmt.Errorf("%w: signature %d names key %s but does not verify with it (payload, payload type or signature altered, or signed with another scheme or hash): %w", ErrSignature, badOurs, keyID, badErr)
	case good >= 0:
		return good, nil
	case len(otherIDs) == len(env.Signatures):
		return -1, fmt.Errorf("%w: signed by %s, not by %s", ErrWrongKey, strings.Join(otherIDs, ", "), keyID)
	default:
		return -1, fmt.Errorf("%w: none of %d signatures verifies with key %s (tampered, or signed by another key)", ErrSignature, len(env.Signatures), keyID)
	}
}

// statementJSON is the JSON form of an in-toto v1 statement.
type statementJSON struct {
	Type    string `json:"_type"`
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// parseStatement applies step 4 of Verify and fills v.
func parseStatement(payload []byte, v *Verified, verifierIDs []string) error {
	if err := blob.CheckJSON(payload); err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	var st statementJSON
	if err := json.Unmarshal(payload, &st); err != nil {
		return jsonError("statement", err)
	}
	if st.Type != StatementType {
		return fmt.Errorf("%w: %q, want %q", ErrStatementType, st.Type, StatementType)
	}
	var pb intoto.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(payload, &pb); err != nil {
		return malformed(-1, "statement: %v", err)
	}
	if err := pb.Validate(); err != nil {
		return malformed(-1, "statement: %v", err)
	}
	v.StatementType = st.Type
	v.PredicateType = st.PredicateType
	if st.PredicateType != PredicateTypeVSA {
		return fmt.Errorf("%w: %q, want %q", ErrPredicateType, st.PredicateType, PredicateTypeVSA)
	}
	for i, s := range st.Subject {
		d, ok := s.Digest["sha256"]
		if !ok || !isSHA256Hex(strings.ToLower(d)) {
			return malformed(-1, "statement: subject %d (%q) has no sha256 digest", i, s.Name)
		}
		v.Subjects = append(v.Subjects, Subject{Name: s.Name, SHA256: strings.ToLower(d)})
	}
	var p vsaPredicate
	if err := json.Unmarshal(st.Predicate, &p); err != nil {
		return jsonError("predicate", err)
	}
	if len(verifierIDs) == 0 {
		verifierIDs = []string{VerifierID}
	}
	if !slices.Contains(verifierIDs, p.Verifier.ID) {
		return fmt.Errorf("%w: verifier %q, want %s", ErrPredicateType, p.Verifier.ID, strings.Join(verifierIDs, " or "))
	}
	switch p.VerificationResult {
	case ResultPassed:
		for _, l := range p.VerifiedLevels {
			if l == ResultFailed {
				return malformed(-1, "predicate: verificationResult PASSED contradicts verifiedLevels %q", p.VerifiedLevels)
			}
		}
	case ResultFailed:
	default:
		return malformed(-1, "predicate: verificationResult %q is neither PASSED nor FAILED", p.VerificationResult)
	}
	pr := Predicate{
		VerifierID:      p.Verifier.ID,
		ResourceURI:     p.ResourceURI,
		PolicyURI:       p.Policy.URI,
		PolicySHA256:    p.Policy.Digest["sha256"],
		PolicyOverrides: overrides(p.Policy.Annotations),
		Result:          p.VerificationResult,
		VerifiedLevels:  p.VerifiedLevels,
	}
	pr.VerifierVersion = p.Verifier.Version["shipgate"]
	if pr.VerifierVersion == "" && len(p.Verifier.Version) == 1 {
		for _, v := range p.Verifier.Version {
			pr.VerifierVersion = v
		}
	}
	if p.TimeVerified != "" {
		t, err := time.Parse(time.RFC3339, p.TimeVerified)
		if err != nil {
			return malformed(-1, "predicate: timeVerified: %v", err)
		}
		pr.TimeVerified = t.UTC()
	}
	if p.ShipgateReport != nil {
		pr.ReportSHA256 = p.ShipgateReport.Digest["sha256"]
		pr.ReportURI = p.ShipgateReport.URI
		pr.ReportErrors = p.ShipgateReport.Summary.Errors
	}
	v.Predicate = pr
	return nil
}

// matchSubjects applies step 5 of Verify.
func matchSubjects(v *Verified, want []Subject) error {
	byDigest := make(map[string][]Subject, len(v.Subjects))
	for _, s := range v.Subjects {
		byDigest[s.SHA256] = append(byDigest[s.SHA256], s)
	}
	for _, w := range want {
		d := strings.ToLower(w.SHA256)
		var found *Subject
		for _, s := range byDigest[d] {
			if w.Name == "" || w.Name == s.Name {
				found = &s
				break
			}
		}
		if found == nil {
			label := w.Name
			if label == "" {
				label = "file"
			}
			return fmt.Errorf("%w: %s with sha256 %s", ErrSubjectMissing, label, d)
		}
		v.Matched = append(v.Matched, *found)
	}
	return nil
}

// overrides returns the strings of a policy descriptor's
// PolicyOverridesAnnotation; a value of another shape (another producer's)
// is shown as JSON, not dropped.
func overrides(a map[string]any) []string {
	v, ok := a[PolicyOverridesAnnotation]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		} else {
			b, _ := json.Marshal(x)
			out = append(out, string(b))
		}
	}
	return out
}
