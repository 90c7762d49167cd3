package authenticode

import (
	"crypto"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSelfTimestampExtendsExpiredSigner checks that a signer cannot
// date its own signature: a code-signing certificate that also lists
// timeStamping (CAs have issued such) may sign a legacy Authenticode
// countersignature, and whoever holds its key, long after it expired (an
// expired certificate is never revoked), countersigned new code with a time
// inside its validity, which then verified as valid. A timestamp whose
// authority's key is the signer's proves nothing about when the signature
// was made: it must not count.
func TestAttackSelfTimestampExtendsExpiredSigner(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	dual := p.Inter.Issue(testpki.Spec{CommonName: "Fixture Dual-Use Signer", KeyN: 21,
		NotBefore: fixtures.Now.AddDate(-2, 0, 0), NotAfter: fixtures.Now.AddDate(0, -1, 0),
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageTimeStamping}})
	sign := func(stamper *testpki.Cert) *Result {
		spec := pefile.SignSpec{Signer: dual, Certs: []*testpki.Cert{p.Inter, p.TSA}, Hash: crypto.SHA256}
		blob, err := pefile.Sign(fixtures.Base(), spec)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := cms.Parse(blob)
		if err != nil {
			t.Fatal(err)
		}
		at := fixtures.Now.AddDate(0, -6, 0) // inside the signer's validity
		spec.Unsigned = []testpki.Attr{{Type: oidCounterSignature, Values: [][]byte{stamper.Countersign(crypto.SHA256, sd.Signers[0].Signature, at)}}}
		b, err := pefile.SignAttach(fixtures.Base(), spec)
		if err != nil {
			t.Fatal(err)
		}
		return verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	}
	// The genuine authority's countersignature dates it: valid.
	if res := sign(p.TSA); res.Status != signing.StatusValid {
		t.Fatalf("countersigned by the TSA: status %s, want valid: %+v", res.Status, res.Findings)
	}
	res := sign(dual)
	if res.Status == signing.StatusValid {
		t.Fatalf("an expired signer that countersigned itself is valid")
	}
	ts := res.Signatures[0].Timestamp
	if ts == nil || ts.Counts() || !strings.Contains(ts.Disregarded+ts.Detail, "signer's own key") {
		t.Errorf("self-timestamp counts or is not explained: %+v", ts)
	}
}
