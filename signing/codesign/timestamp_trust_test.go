package codesign

import (
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestTimestampUntrustedAuthorityNamed checks the wording of a timestamp whose
// token verifies but whose authority chains to a root the store does not
// hold: the check says the timestamp is intact and its authority's chain
// reaches no trusted root, not that the timestamp does not verify.
func TestTimestampUntrustedAuthorityNamed(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	tsa := p.OtherRoot.Issue(testpki.Spec{CommonName: "Untrusted TSA", KeyN: 16, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	spec := p.DeveloperIDSpec("com.example.tool")
	s := p.Signer()
	s.TSA, s.TSAChain = tsa, []*testpki.Cert{p.OtherRoot}
	spec.CMS = s.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
	sig := r.Signatures[0]
	if sig.Status != signing.StatusValid || sig.Timestamp == nil || sig.Timestamp.Verified || !sig.Timestamp.Intact {
		t.Fatalf("%s", dump(r))
	}
	const want = `timestamp intact but its authority's chain does not reach a trusted root (no issuer found for "CN=Untrusted Root" among the embedded and trusted certificates), so it does not move the validation time`
	for _, c := range sig.Checks {
		if c.Name == "timestamp" {
			if c.OK || c.Detail != want {
				t.Errorf("timestamp check %+v, want detail %q", c, want)
			}
			return
		}
	}
	t.Errorf("no timestamp check: %s", dump(r))
}
