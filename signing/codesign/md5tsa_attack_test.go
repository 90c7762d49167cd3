package codesign

import (
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMD5SignedTimestampAuthority: macOS's time-stamping policy
// refuses an MD5-signed certificate in the TSA's chain, as its code-signing
// policy does, so such a timestamp does not date the signature on a Mac.
// Long after the leaf expired, a timestamp by an MD5-signed TSA kept the
// signature valid; it is now not verified and the chain is checked late.
// A SHA-1-signed TSA still dates it.
func TestAttackMD5SignedTimestampAuthority(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	late := machofile.SignTime.AddDate(10, 0, 0)
	code := machofile.Build(machofile.Spec{})
	for _, tc := range []struct {
		alg  x509.SignatureAlgorithm
		want signing.Status
	}{
		{x509.MD5WithRSA, signing.StatusUntrusted},
		{x509.SHA1WithRSA, signing.StatusValid},
	} {
		tsa := p.Root.Issue(testpki.Spec{CommonName: "shipgate Test Timestamp Authority " + tc.alg.String(), Organization: "shipgate test",
			KeyN: 22, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, SignatureAlgorithm: tc.alg})
		s := p.Signer()
		s.TSA = tsa
		spec := p.DeveloperIDSpec("com.example.tool")
		spec.CMS = s.CMS
		b, _, err := machofile.Sign(code, spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: late})
		if r.Status() != tc.want {
			t.Errorf("%s TSA: status %s, want %s\n%s", tc.alg, r.Status(), tc.want, dump(r))
		}
	}
}
