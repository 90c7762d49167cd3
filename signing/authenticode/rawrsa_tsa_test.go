package authenticode

import (
	"crypto"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestRawRSACountersignatureAuthorityChecked checks that a legacy
// countersignature whose RSA signature lacks the DigestInfo prefix is held to
// the same authority rules as a regular one: an authority certificate that
// lists only anyExtendedKeyUsage, or is a CA, does not date the signature, so
// an expired signer stays untrusted.
func TestRawRSACountersignatureAuthorityChecked(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	anyEKU := p.Root.Issue(testpki.Spec{CommonName: "Any-Usage TSA", KeyN: 18, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	caTSA := p.Root.Issue(testpki.Spec{CommonName: "CA TSA", KeyN: 19, CA: true, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	for _, c := range []struct {
		name string
		tsa  *testpki.Cert
		want string
	}{
		{"anyExtendedKeyUsage", anyEKU, `"CN=Any-Usage TSA" lacks the timeStamping`},
		{"CA certificate", caTSA, `"CN=CA TSA" is a CA certificate`},
	} {
		for _, raw := range []bool{false, true} {
			name := c.name
			if raw {
				name += "/raw RSA"
			}
			t.Run(name, func(t *testing.T) {
				signed, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Expired, Certs: []*testpki.Cert{p.Inter},
					Stamp: &pefile.Stamp{TSA: c.tsa, At: fixtures.Now.AddDate(0, -2, 0), Legacy: true, Hash: crypto.SHA1, RawRSA: raw}})
				if err != nil {
					t.Fatal(err)
				}
				res := verifyBytes(t, signed, Options{Trust: trust, Time: fixtures.Now})
				ts := res.Signatures[0].Timestamp
				if res.Status != signing.StatusUntrusted || ts == nil || ts.Verified || !strings.Contains(ts.Detail, c.want) {
					t.Errorf("status %s, timestamp %+v", res.Status, ts)
				}
			})
		}
	}
}
