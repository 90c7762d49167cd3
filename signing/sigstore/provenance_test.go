package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/provenance"
)

// TestVerifyBlobProvenance verifies a keyless DSSE bundle of SLSA v1
// provenance end to end: the bundle verifies, its verified statement is
// returned, and signing/provenance reads and checks it.
func TestVerifyBlobProvenance(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("acme-app-1.4.0.tgz bytes")
	sum := sha256.Sum256(artifact)
	stmt := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"pkg:npm/acme-app@1.4.0","digest":{"sha256":"` + hex.EncodeToString(sum[:]) + `"}}],` +
		`"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",` +
		`"externalParameters":{"workflow":{"ref":"refs/tags/v1.4.0","repository":"https://github.com/acme/app","path":".github/workflows/release.yml"}}},` +
		`"runDetails":{"builder":{"id":"https://github.com/actions/runner/github-hosted"}}}}`)
	b := f.dsseBundle(t, stmt, fixtureSAN, fixtureIssuer)
	res, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Statement, stmt) {
		t.Fatalf("statement not returned byte for byte: %s", res.Statement)
	}
	p, err := provenance.Parse(res.Statement)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(provenance.Requirements{SourceRepository: "github.com/acme/app", SourceRef: "refs/tags/v1.4.0"}, hex.EncodeToString(sum[:])); err != nil {
		t.Error(err)
	}
	if err := p.Check(provenance.Requirements{SourceRef: "refs/tags/v1.4.1"}, ""); !errors.Is(err, provenance.ErrProvenance) {
		t.Errorf("another ref accepted: %v", err)
	}
}
