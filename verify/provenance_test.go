package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// provenanceStub answers every bundle with a verified result holding a
// statement, as signing/sigstore does for DSSE bundles.
type provenanceStub struct{ statement []byte }

func (s *provenanceStub) VerifyBundle(ctx context.Context, bundle []byte, artifact io.Reader, opts blob.Options) (*blob.Result, error) {
	return &blob.Result{Statement: s.statement}, nil
}

const provenancePolicy = `rules:
  - match: ["dist/*.tgz"]
    sigstore:
      trustedRoot: sigstore/trusted_root.json
      certificateIdentityRegexp: 'https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*'
      certificateOidcIssuer: https://token.actions.githubusercontent.com
      provenance:
        predicateTypes: [https://slsa.dev/provenance/v1]
        sourceRepository: github.com/acme/app
        sourceRefRegexp: 'refs/tags/v.*'
`

func provenanceStatement(sha, predicateType, repo string) []byte {
	return []byte(`{"_type": "https://in-toto.io/Statement/v1",
 "subject": [{"name": "pkg:npm/app@1.4.0", "digest": {"sha256": "` + sha + `"}}],
 "predicateType": "` + predicateType + `",
 "predicate": {"buildDefinition": {"buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
   "externalParameters": {"workflow": {"ref": "refs/tags/v1.4.0", "repository": "https://` + repo + `", "path": ".github/workflows/release.yml"}}},
  "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}}}}`)
}

func provenanceRun(t *testing.T, statement func(sha string) []byte) []string {
	t.Helper()
	base := t.TempDir()
	art := []byte("the npm package tarball")
	sum := sha256.Sum256(art)
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                   []byte(provenancePolicy),
		"conf/sigstore/trusted_root.json":    sigstoreTestdata(t, "trusted_root.json"),
		"release/dist/app.tgz":               art,
		"release/dist/app.tgz.sigstore.json": []byte("{}"),
	})
	pol, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Release(context.Background(), Options{Policy: pol, Sigstore: &provenanceStub{statement: statement(hex.EncodeToString(sum[:]))}, Workers: 1}, filepath.Join(base, "release"))
	if err != nil {
		t.Fatal(err)
	}
	return findingsOf(r, RuleProvenanceMismatch)
}

func TestProvenancePolicyAcceptsMatchingProvenance(t *testing.T) {
	t.Parallel()
	if f := provenanceRun(t, func(sha string) []byte {
		return provenanceStatement(sha, "https://slsa.dev/provenance/v1", "github.com/acme/app")
	}); len(f) != 0 {
		t.Errorf("findings %v", f)
	}
}

func TestProvenancePolicyRefusesOtherRepository(t *testing.T) {
	t.Parallel()
	f := provenanceRun(t, func(sha string) []byte {
		return provenanceStatement(sha, "https://slsa.dev/provenance/v1", "github.com/acme/app-fork")
	})
	if len(f) != 1 || !strings.Contains(f[0], "source repository") {
		t.Errorf("findings %v", f)
	}
}

// TestProvenancePolicyRefusesOtherPredicateType: a verified attestation of
// another type from the same workflow is not provenance.
func TestProvenancePolicyRefusesOtherPredicateType(t *testing.T) {
	t.Parallel()
	f := provenanceRun(t, func(sha string) []byte {
		return provenanceStatement(sha, "https://slsa.dev/verification_summary/v1", "github.com/acme/app")
	})
	if len(f) != 1 || !strings.Contains(f[0], "not SLSA provenance") {
		t.Errorf("findings %v", f)
	}
}

func TestProvenancePolicyRefusesMessageSignature(t *testing.T) {
	t.Parallel()
	f := provenanceRun(t, func(string) []byte { return nil })
	if len(f) != 1 || !strings.Contains(f[0], "not a SLSA provenance statement") {
		t.Errorf("findings %v", f)
	}
}

func TestProvenancePolicyRefusesOtherSubject(t *testing.T) {
	t.Parallel()
	f := provenanceRun(t, func(string) []byte {
		return provenanceStatement(strings.Repeat("ab", 32), "https://slsa.dev/provenance/v1", "github.com/acme/app")
	})
	if len(f) != 1 || !strings.Contains(f[0], "not a subject") {
		t.Errorf("findings %v", f)
	}
}

func TestProvenancePolicyValidation(t *testing.T) {
	t.Parallel()
	_, err := ParsePolicy([]byte(strings.Replace(provenancePolicy, "predicateTypes: [https://slsa.dev/provenance/v1]", "predicateTypes: [https://slsa.dev/verification_summary/v1]", 1)))
	if err == nil || !strings.Contains(err.Error(), "not a SLSA provenance type") {
		t.Errorf("error %v", err)
	}
}
