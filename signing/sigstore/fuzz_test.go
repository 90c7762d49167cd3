package sigstore

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/signing/attest"
)

// FuzzVerifyBlob feeds hostile bundles to VerifyBlob with the committed
// trusted root: no panic, and nothing but the committed keyless bundle's
// artifact may verify as signed by the fixture identity.
func FuzzVerifyBlob(f *testing.F) {
	f.Add(readTestdata(f, "keyless.sigstore.json"))
	f.Add(readTestdata(f, "keyed.sigstore.json"))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	root, artifact := readTestdata(f, "trusted_root.json"), readTestdata(f, "artifact.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: root, Identity: keylessID})
		if err == nil && (res.SAN != fixtureSAN || res.Issuer != fixtureIssuer) {
			t.Fatalf("verified with identity %q %q", res.SAN, res.Issuer)
		}
	})
}
