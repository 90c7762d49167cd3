// Package provenance reads SLSA provenance statements (in-toto, predicate
// types https://slsa.dev/provenance/v0.2 and v1; npm's and GitHub's artifact
// attestations are v1) and checks them against what a release engineer
// expects: the predicate type, the builder, the build type, the source
// repository and ref, and that the artifact is a subject.
//
// It interprets a statement whose signature has already been verified
// (signing/sigstore.VerifyBlob returns the verified payload in
// blob.Result.Statement); it verifies no signature itself. The
// predicate type is always checked: a signed SBOM, VSA or test attestation
// from the same workflow is not provenance (cosign once accepted an
// attestation of another predicate type as the one asked for).
package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// Predicate types of SLSA provenance.
const (
	PredicateV02 = blob.PredicateTypeSLSAProvenanceV02
	PredicateV1  = blob.PredicateTypeSLSAProvenanceV1
)

// MaxStatementSize caps a statement Parse reads.
const MaxStatementSize = 16 << 20

// ErrProvenance results when a statement is not SLSA provenance or does not
// meet the requirements; the message says which.
var ErrProvenance = errors.New("provenance")

// Provenance is what a SLSA provenance statement says about a build.
type Provenance struct {
	// PredicateType is PredicateV02 or PredicateV1.
	PredicateType string `json:"predicateType"`
	// BuilderID is the builder's ID (runDetails.builder.id, v0.2 builder.id).
	BuilderID string `json:"builderId"`
	// BuildType is the build type URI.
	BuildType string `json:"buildType"`
	// SourceRepository is the source repository as a URL without the
	// "git+" scheme prefix, the ref and a trailing ".git"
	// ("https://github.com/acme/app"); empty when the provenance names none.
	SourceRepository string `json:"sourceRepository,omitempty"`
	// SourceRef is the ref built ("refs/tags/v1.4.0"), SourceDigest the
	// commit ("sha1:…" or "gitCommit:…").
	SourceRef    string `json:"sourceRef,omitempty"`
	SourceDigest string `json:"sourceDigest,omitempty"`
	// Subjects are the statement's subjects: name and digests by
	// algorithm.
	Subjects []Subject `json:"subjects"`
}

// Subject is one subject of a statement.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

type statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

type predicateV1 struct {
	BuildDefinition struct {
		BuildType            string          `json:"buildType"`
		ExternalParameters   json.RawMessage `json:"externalParameters"`
		ResolvedDependencies []struct {
			URI    string            `json:"uri"`
			Digest map[string]string `json:"digest"`
		} `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
	} `json:"runDetails"`
}

// githubWorkflow is externalParameters of GitHub Actions build types.
type githubWorkflow struct {
	Workflow struct {
		Ref        string `json:"ref"`
		Repository string `json:"repository"`
		Path       string `json:"path"`
	} `json:"workflow"`
}

type predicateV02 struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	BuildType  string `json:"buildType"`
	Invocation struct {
		ConfigSource struct {
			URI    string            `json:"uri"`
			Digest map[string]string `json:"digest"`
		} `json:"configSource"`
	} `json:"invocation"`
	Materials []struct {
		URI    string            `json:"uri"`
		Digest map[string]string `json:"digest"`
	} `json:"materials"`
}

// Statement types of in-toto: v1 and the v0.1 that SLSA v0.2 provenance
// uses.
const (
	statementV1  = "https://in-toto.io/Statement/v1"
	statementV01 = "https://in-toto.io/Statement/v0.1"
)

// Parse reads a SLSA provenance statement (the in-toto JSON payload).
func Parse(b []byte) (*Provenance, error) {
	if len(b) > MaxStatementSize {
		return nil, fmt.Errorf("%w: statement is %d bytes, over %d", ErrProvenance, len(b), MaxStatementSize)
	}
	if err := blob.CheckJSON(b); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrProvenance, err)
	}
	var st statement
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrProvenance, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the statement", ErrProvenance)
	}
	if st.Type != statementV1 && st.Type != statementV01 {
		return nil, fmt.Errorf("%w: statement type %q is not in-toto's", ErrProvenance, st.Type)
	}
	if len(st.Subject) == 0 {
		return nil, fmt.Errorf("%w: statement has no subject", ErrProvenance)
	}
	p := &Provenance{PredicateType: st.PredicateType, Subjects: st.Subject}
	switch st.PredicateType {
	case PredicateV1:
		var pr predicateV1
		if err := json.Unmarshal(st.Predicate, &pr); err != nil {
			return nil, fmt.Errorf("%w: SLSA v1 predicate: %w", ErrProvenance, err)
		}
		p.BuilderID = pr.RunDetails.Builder.ID
		p.BuildType = pr.BuildDefinition.BuildType
		var gw githubWorkflow
		if len(pr.BuildDefinition.ExternalParameters) > 0 && json.Unmarshal(pr.BuildDefinition.ExternalParameters, &gw) == nil && gw.Workflow.Repository != "" {
			p.SourceRepository = normalizeRepo(gw.Workflow.Repository)
			p.SourceRef = gw.Workflow.Ref
		}
		// The first resolved dependency is the source by convention
		// (GitHub's and npm's build types put it there).
		if deps := pr.BuildDefinition.ResolvedDependencies; len(deps) > 0 && strings.HasPrefix(deps[0].URI, "git+") {
			repo, ref := splitGitURI(deps[0].URI)
			if p.SourceRepository == "" {
				p.SourceRepository, p.SourceRef = repo, ref
			}
			// External parameters are the build's inputs, which some
			// build types take from the user: a statement whose inputs
			// name another source than the one resolved is refused
			// rather than read by the half that suits.
			if !sameRepo(repo, p.SourceRepository) || (ref != "" && p.SourceRef != "" && ref != p.SourceRef) {
				return nil, fmt.Errorf("%w: externalParameters name %s@%s, resolvedDependencies[0] %s@%s", ErrProvenance, p.SourceRepository, p.SourceRef, repo, ref)
			}
			p.SourceDigest = digestString(deps[0].Digest)
		}
	case PredicateV02:
		var pr predicateV02
		if err := json.Unmarshal(st.Predicate, &pr); err != nil {
			return nil, fmt.Errorf("%w: SLSA v0.2 predicate: %w", ErrProvenance, err)
		}
		p.BuilderID = pr.Builder.ID
		p.BuildType = pr.BuildType
		if u := pr.Invocation.ConfigSource.URI; u != "" {
			p.SourceRepository, p.SourceRef = splitGitURI(u)
			p.SourceDigest = digestString(pr.Invocation.ConfigSource.Digest)
		}
	default:
		return nil, fmt.Errorf("%w: predicate type %q is not SLSA provenance (want %s or %s)", ErrProvenance, st.PredicateType, PredicateV1, PredicateV02)
	}
	if p.BuilderID == "" {
		return nil, fmt.Errorf("%w: no builder id", ErrProvenance)
	}
	return p, nil
}

// splitGitURI splits "git+https://github.com/o/r@refs/tags/v1" into the
// normalized repository and the ref.
func splitGitURI(u string) (repo, ref string) {
	u = strings.TrimPrefix(u, "git+")
	// The ref follows the last "@" after the host.
	rest := u
	if i := strings.Index(u, "://"); i >= 0 {
		rest = u[i+3:]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 && strings.Contains(rest[:i], "/") {
		cut := len(u) - len(rest) + i
		return normalizeRepo(u[:cut]), u[cut+1:]
	}
	return normalizeRepo(u), ""
}

// normalizeRepo drops "git+", a trailing "/" and ".git".
func normalizeRepo(u string) string {
	u = strings.TrimPrefix(u, "git+")
	u = strings.TrimSuffix(u, "/")
	return strings.TrimSuffix(u, ".git")
}

// sameRepo compares repositories without scheme, case-insensitively (GitHub
// and GitLab names are).
func sameRepo(a, b string) bool {
	strip := func(s string) string {
		s = normalizeRepo(s)
		if i := strings.Index(s, "://"); i >= 0 {
			s = s[i+3:]
		}
		return strings.ToLower(s)
	}
	return a != "" && strip(a) == strip(b)
}

func digestString(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		return k + ":" + d[k]
	}
	return ""
}

// Requirements say what a provenance must show. Empty fields require
// nothing, except PredicateTypes, whose empty value means either SLSA
// provenance type.
type Requirements struct {
	// PredicateTypes are the accepted predicate types.
	PredicateTypes []string `yaml:"predicateTypes" json:"predicateTypes"`
	// BuilderID must equal the builder ID; BuilderIDRegexp must match all
	// of it.
	BuilderID       string `yaml:"builderId" json:"builderId"`
	BuilderIDRegexp string `yaml:"builderIdRegexp" json:"builderIdRegexp"`
	// BuildType must equal the build type.
	BuildType string `yaml:"buildType" json:"buildType"`
	// SourceRepository must be the source repository ("github.com/acme/app"
	// or with a scheme; compared without scheme, ".git" and case).
	SourceRepository string `yaml:"sourceRepository" json:"sourceRepository"`
	// SourceRef must equal the ref built ("refs/tags/v1.4.0");
	// SourceRefRegexp must match all of it.
	SourceRef       string `yaml:"sourceRef" json:"sourceRef"`
	SourceRefRegexp string `yaml:"sourceRefRegexp" json:"sourceRefRegexp"`
}

// Validate checks the regular expressions and predicate types.
func (r *Requirements) Validate() error {
	for _, re := range []struct{ key, v string }{{"builderIdRegexp", r.BuilderIDRegexp}, {"sourceRefRegexp", r.SourceRefRegexp}} {
		if re.v == "" {
			continue
		}
		if _, err := regexp.Compile(anchor(re.v)); err != nil {
			return fmt.Errorf("provenance %s %q: %w", re.key, re.v, err)
		}
	}
	for _, t := range r.PredicateTypes {
		if t != PredicateV1 && t != PredicateV02 {
			return fmt.Errorf("provenance predicateTypes: %q is not a SLSA provenance type (%s, %s)", t, PredicateV1, PredicateV02)
		}
	}
	if r.BuilderID != "" && r.BuilderIDRegexp != "" {
		return errors.New("provenance: builderId and builderIdRegexp exclude each other")
	}
	if r.SourceRef != "" && r.SourceRefRegexp != "" {
		return errors.New("provenance: sourceRef and sourceRefRegexp exclude each other")
	}
	return nil
}

func anchor(re string) string { return "^(?:" + re + ")$" }

// Check reports the first requirement p does not meet, as an error wrapping
// ErrProvenance. artifactSHA256 (hex), when set, must be the sha256 digest
// of a subject.
func (p *Provenance) Check(r Requirements, artifactSHA256 string) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrProvenance, err)
	}
	types := r.PredicateTypes
	if len(types) == 0 {
		types = []string{PredicateV1, PredicateV02}
	}
	if !contains(types, p.PredicateType) {
		return fmt.Errorf("%w: predicate type %s, want %s", ErrProvenance, p.PredicateType, strings.Join(types, " or "))
	}
	if artifactSHA256 != "" {
		found := false
		for _, s := range p.Subjects {
			if strings.EqualFold(s.Digest["sha256"], artifactSHA256) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%w: the artifact (sha256 %s) is not a subject of the provenance", ErrProvenance, artifactSHA256)
		}
	}
	if r.BuilderID != "" && p.BuilderID != r.BuilderID {
		return fmt.Errorf("%w: builder %q, want %q", ErrProvenance, p.BuilderID, r.BuilderID)
	}
	if r.BuilderIDRegexp != "" && !regexp.MustCompile(anchor(r.BuilderIDRegexp)).MatchString(p.BuilderID) {
		return fmt.Errorf("%w: builder %q does not match %q", ErrProvenance, p.BuilderID, r.BuilderIDRegexp)
	}
	if r.BuildType != "" && p.BuildType != r.BuildType {
		return fmt.Errorf("%w: build type %q, want %q", ErrProvenance, p.BuildType, r.BuildType)
	}
	if r.SourceRepository != "" && !sameRepo(p.SourceRepository, r.SourceRepository) {
		return fmt.Errorf("%w: source repository %q, want %q", ErrProvenance, p.SourceRepository, r.SourceRepository)
	}
	if r.SourceRef != "" && p.SourceRef != r.SourceRef {
		return fmt.Errorf("%w: source ref %q, want %q", ErrProvenance, p.SourceRef, r.SourceRef)
	}
	if r.SourceRefRegexp != "" && !regexp.MustCompile(anchor(r.SourceRefRegexp)).MatchString(p.SourceRef) {
		return fmt.Errorf("%w: source ref %q does not match %q", ErrProvenance, p.SourceRef, r.SourceRefRegexp)
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
