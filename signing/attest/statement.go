package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/attest/blob"
)

// Type URIs written and required by this package.
const (
	// StatementType is the in-toto Statement v1 type.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateTypeVSA is the SLSA Verification Summary Attestation v1 type.
	PredicateTypeVSA = blob.PredicateTypeVSA
	// VerifierID identifies shipgate as the verifier in a summary.
	VerifierID = "https://github.com/shipgate/shipgate"
	// BuiltinPolicyURI names shipgate's built-in policy in a summary whose
	// report records no policy file.
	BuiltinPolicyURI = "urn:shipgate:policy:builtin"
	// PolicyOverridesAnnotation is the annotation of the summary's policy
	// descriptor that lists the settings given beside the policy
	// (report.Policy.Overrides).
	PolicyOverridesAnnotation = "shipgateOverrides"
	// PolicyDigestURIPrefix, followed by the SHA-256 of the policy's
	// bytes, names a policy that was not read from a file.
	PolicyDigestURIPrefix = "urn:shipgate:policy:sha256:"
)

// Verification results of a summary.
const (
	ResultPassed = "PASSED"
	ResultFailed = "FAILED"
)

// LevelGatePassed is the verifiedLevels value of a summary whose gate passed.
// SLSA reserves the SLSA_ prefix for build-track levels, which shipgate does
// not assess; a failed gate records "FAILED" as the specification requires.
const LevelGatePassed = "SHIPGATE_GATE_PASSED"

// StatementOptions controls [Statement]. The zero value is valid.
type StatementOptions struct {
	// Time is recorded as timeVerified. Zero omits the field, which keeps the
	// statement a pure function of the report; the CLI passes the time of the
	// run (or SOURCE_DATE_EPOCH).
	Time time.Time
	// ResourceURI is the resourceUri of the summary. Zero uses the report's
	// input path (relative as recorded, absolute reduced to its base name),
	// else "urn:shipgate:report:sha256:<report digest>".
	ResourceURI string
	// PolicyURI names the policy. Zero uses the report's policy path (as for
	// ResourceURI), else PolicyDigestURIPrefix and the policy's digest for
	// a policy read from bytes, else [BuiltinPolicyURI]. The policy digest
	// is always the report's policy.sha256 when present.
	PolicyURI string
	// ReportURI, when set, is recorded next to the report digest, for
	// consumers that want to fetch the full report.
	ReportURI string
}

// Predicate is the decoded verification summary of a statement.
type Predicate struct {
	// VerifierID and VerifierVersion identify the tool that verified.
	VerifierID      string `json:"verifierId"`
	VerifierVersion string `json:"verifierVersion,omitempty"`
	// TimeVerified is zero when the statement records no time.
	TimeVerified time.Time `json:"timeVerified,omitzero"`
	ResourceURI  string    `json:"resourceUri"`
	// PolicyURI and PolicySHA256 describe the policy; the digest is empty when
	// the built-in policy was used.
	PolicyURI    string `json:"policyUri"`
	PolicySHA256 string `json:"policySha256,omitempty"`
	// PolicyOverrides are the settings given beside the policy that changed
	// how it judged (the report's policy.overrides): the policy that judged
	// is not PolicySHA256's bytes alone.
	PolicyOverrides []string `json:"policyOverrides,omitempty"`
	// Result is PASSED or FAILED.
	Result         string   `json:"verificationResult"`
	VerifiedLevels []string `json:"verifiedLevels"`
	// ReportSHA256 is the SHA-256 of the full shipgate report the summary
	// was made from; ReportURI is where it was published, when recorded.
	ReportSHA256 string `json:"reportSha256,omitempty"`
	ReportURI    string `json:"reportUri,omitempty"`
	// ReportErrors is the number of error findings the summarised report
	// records (shipgateReport.summary.errors), zero when it records none.
	// A PASSED summary with errors comes from a gate that could not fail
	// (failOn never); [Verify] does not take it as PASSED.
	ReportErrors int `json:"reportErrors,omitempty"`
}

// vsaPredicate is the JSON form of the predicate. Field names follow SLSA VSA
// v1; shipgateReport is an extension field (in-toto parsing rules: consumers
// ignore fields they do not know).
type vsaPredicate struct {
	Verifier struct {
		ID      string            `json:"id"`
		Version map[string]string `json:"version,omitempty"`
	} `json:"verifier"`
	TimeVerified       string         `json:"timeVerified,omitempty"`
	ResourceURI        string         `json:"resourceUri"`
	Policy             descriptor     `json:"policy"`
	VerificationResult string         `json:"verificationResult"`
	VerifiedLevels     []string       `json:"verifiedLevels"`
	ShipgateReport     *reportSummary `json:"shipgateReport,omitempty"`
}

type descriptor struct {
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
	// Annotations, on the policy, carry PolicyOverridesAnnotation (a list
	// of strings); other producers may put any JSON value there.
	Annotations map[string]any `json:"annotations,omitempty"`
}

type reportSummary struct {
	URI     string            `json:"uri,omitempty"`
	Digest  map[string]string `json:"digest"`
	Summary struct {
		Files    int  `json:"files"`
		Signed   int  `json:"signed"`
		Errors   int  `json:"errors"`
		Warnings int  `json:"warnings"`
		Passed   bool `json:"passed"`
	} `json:"summary"`
}

// Statement returns the in-toto v1 Statement for a shipgate JSON report
// ([report.Report]): its subjects are the report's files (path and sha256),
// or the input alone when the report's input is a single file (a zip, an
// asar, an installer: [report.InputKind.Archive]), named by its path and
// digested by its sha256; its predicate is a SLSA Verification Summary v1
// with shipgate as verifier (version from the report's tool.version), the
// policy (the report's policy file, by path and SHA-256 digest; policy bytes
// without a file by digest alone; else the built-in one), verificationResult
// PASSED exactly when summary.passed is true and no finding is an error (a
// gate run with failOn never passes whatever it finds), and the SHA-256 of
// the report bytes in the shipgateReport extension field.
//
// The output is deterministic: the same report and options give the same
// bytes (keys sorted, subjects sorted by name, no insignificant whitespace).
// Errors wrap [ErrReport].
func Statement(reportJSON []byte, opts StatementOptions) ([]byte, error) {
	r, err := parseReport(reportJSON)
	if err != nil {
		return nil, err
	}
	reportSum := sha256.Sum256(reportJSON)
	reportHex := hex.EncodeToString(reportSum[:])

	subjects, err := reportSubjects(r)
	if err != nil {
		return nil, err
	}

	var p vsaPredicate
	p.Verifier.ID = VerifierID
	if r.Tool.Version != "" {
		p.Verifier.Version = map[string]string{"shipgate": r.Tool.Version}
	}
	if !opts.Time.IsZero() {
		p.TimeVerified = opts.Time.UTC().Format(time.RFC3339)
	}
	p.ResourceURI = opts.ResourceURI
	if p.ResourceURI == "" {
		if r.Input != nil && r.Input.Path != "" {
			p.ResourceURI = uriFromPath(r.Input.Path)
		} else {
			p.ResourceURI = "urn:shipgate:report:sha256:" + reportHex
		}
	}
	p.Policy = policyDescriptor(r.Policy, opts.PolicyURI)
	if gatePassed(r) {
		p.VerificationResult = ResultPassed
		p.VerifiedLevels = []string{LevelGatePassed}
	} else {
		p.VerificationResult = ResultFailed
		p.VerifiedLevels = []string{ResultFailed}
	}
	rs := &reportSummary{URI: opts.ReportURI, Digest: map[string]string{"sha256": reportHex}}
	rs.Summary.Files = r.Summary.Files
	rs.Summary.Signed = r.Summary.Signed
	rs.Summary.Errors = r.Summary.Errors
	rs.Summary.Warnings = r.Summary.Warnings
	rs.Summary.Passed = r.Summary.Passed
	p.ShipgateReport = rs

	pred, err := toStruct(p)
	if err != nil {
		return nil, err
	}
	st := &intoto.Statement{
		Type:          StatementType,
		PredicateType: PredicateTypeVSA,
		Predicate:     pred,
	}
	for _, s := range subjects {
		st.Subject = append(st.Subject, &intoto.ResourceDescriptor{
			Name:   s.Name,
			Digest: map[string]string{"sha256": s.SHA256},
		})
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrReport, err)
	}
	raw, err := protojson.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("attest: encoding statement: %w", err)
	}
	// protojson deliberately varies its whitespace; re-encode for stable bytes.
	return canonicalJSON(raw)
}

// gatePassed reports whether r may be attested PASSED: its summary says
// the gate passed and no finding is an error. A gate run with failOn never
// (`--fail-on never`, a report-only CI step, or the policy file's failOn)
// passes whatever it finds; a verifier of the summary reads only its
// verificationResult, so such a run's errors must not be signed as PASSED.
// The findings are counted too, not only summary.errors: the two disagree
// only in a report edited by hand.
func gatePassed(r *report.Report) bool {
	if !r.Summary.Passed || r.Summary.Errors > 0 {
		return false
	}
	for _, f := range r.Findings {
		if f.Severity >= signing.SeverityError {
			return false
		}
	}
	return true
}

// policyDescriptor describes the policy p a report records: a policy file
// by its path (or uri when set) and digest; policy bytes of no file by their
// digest, as urn:shipgate:policy:sha256:<digest>; otherwise the built-in
// policy.
func policyDescriptor(p *report.Policy, uri string) descriptor {
	var d descriptor
	if p != nil && p.SHA256 != "" && p.Source != report.PolicyBuiltin {
		d.Digest = map[string]string{"sha256": p.SHA256}
	}
	switch {
	case uri != "":
		d.URI = uri
	case p != nil && p.Path != "" && p.Source != report.PolicyBuiltin:
		d.URI = uriFromPath(p.Path)
	case d.Digest != nil:
		d.URI = PolicyDigestURIPrefix + p.SHA256
	default:
		d.URI = BuiltinPolicyURI
	}
	if p != nil && len(p.Overrides) > 0 {
		ov := make([]string, len(p.Overrides))
		for i, o := range p.Overrides {
			// "--roots /home/ci/root.pem": the path as for ResourceURI.
			if flag, val, ok := strings.Cut(o, " "); ok {
				o = flag + " " + uriFromPath(val)
			}
			ov[i] = o
		}
		d.Annotations = map[string]any{PolicyOverridesAnnotation: ov}
	}
	return d
}

// reportSubjects lists the subjects of a report, sorted by name: the input
// alone when it is a single file (an archive is shipped as its bytes), else
// every file; of several inputs, each single-file one as itself (named by
// its base name, as the report names its files) and the files of the
// others.
func reportSubjects(r *report.Report) ([]Subject, error) {
	if in := r.Input; in != nil && in.Kind.Archive() {
		if in.Path == "" {
			return nil, fmt.Errorf("%w: %s input has no path", ErrReport, in.Kind)
		}
		return []Subject{{Name: uriFromPath(in.Path), SHA256: in.SHA256}}, nil
	}
	seen := make(map[string]report.Digest, len(r.Files))
	var out []Subject
	var archives []string
	if in := r.Input; in != nil && in.Kind == report.InputMultiple {
		for _, p := range in.Parts {
			if !p.Kind.Archive() {
				continue
			}
			if p.Path == "" {
				return nil, fmt.Errorf("%w: %s input has no path", ErrReport, p.Kind)
			}
			if !isSHA256Hex(p.SHA256) {
				return nil, fmt.Errorf("%w: %s input %q: sha256 %q is not 64 lowercase hex digits", ErrReport, p.Kind, p.Path, p.SHA256)
			}
			name := path.Base(strings.ReplaceAll(p.Path, `\`, "/"))
			d, err := report.ParseDigest(p.SHA256)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrReport, err)
			}
			if prev, ok := seen[name]; ok && prev != d {
				return nil, fmt.Errorf("%w: input %q is given twice with different digests", ErrReport, name)
			}
			if _, ok := seen[name]; !ok {
				out = append(out, Subject{Name: name, SHA256: p.SHA256})
			}
			seen[name] = d
			archives = append(archives, name)
		}
	}
	for _, f := range r.Files {
		if slices.ContainsFunc(archives, func(a string) bool { return strings.HasPrefix(f.Path, a+"/") }) {
			continue // inside a single-file input, attested as a whole
		}
		if prev, ok := seen[f.Path]; ok {
			if prev != f.SHA256 {
				return nil, fmt.Errorf("%w: file %q is listed twice with different digests", ErrReport, f.Path)
			}
			continue
		}
		seen[f.Path] = f.SHA256
		out = append(out, Subject{Name: f.Path, SHA256: f.SHA256.String()})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the report lists no files to attest", ErrReport)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// toStruct converts a Go value to a protobuf Struct through its JSON form.
func toStruct(v any) (*structpb.Struct, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

// canonicalJSON re-encodes a JSON document with sorted keys, no insignificant
// whitespace and no HTML escaping. Numbers keep their textual form.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
