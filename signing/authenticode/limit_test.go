package authenticode

import (
	"crypto"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSignaturesBeyondLimit: nested signatures past the limit of 64
// are not examined; they used to leave the file valid beside one error
// finding, so whatever the 65th nested value held (it is not even parsed)
// passed with a valid status. Every signature is now invalid when some
// were left unexamined; at the limit the file stays valid.
func TestAttackSignaturesBeyondLimit(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	build := func(n int) []byte {
		var nested [][]byte
		for i := range n {
			blob, err := pefile.Sign(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256,
				SigningTime: fixtures.Now.Add(-time.Duration(i+1) * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			nested = append(nested, blob)
		}
		b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Nested: nested})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	res := verifyBytes(t, build(maxSignatures-1), Options{Trust: trust, Time: fixtures.Now})
	if res.Status != signing.StatusValid || len(res.Signatures) != maxSignatures {
		t.Errorf("at the limit: status %s, %d signatures; want valid, %d: %+v", res.Status, len(res.Signatures), maxSignatures, res.Findings)
	}
	res = verifyBytes(t, build(maxSignatures), Options{Trust: trust, Time: fixtures.Now})
	if res.Status == signing.StatusValid || res.Status == signing.StatusUntrusted {
		t.Errorf("beyond the limit: status %s, want invalid", res.Status)
	}
	if len(findingsOf(res, RuleMalformedSignature)) == 0 {
		t.Errorf("no %s finding: %+v", RuleMalformedSignature, res.Findings)
	}
}
