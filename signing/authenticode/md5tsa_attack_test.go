package authenticode

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMD5SignedTimestampAuthority: a time-stamping certificate signed
// with MD5 is what a chosen-prefix collision forges (Flame forged a
// code-signing one that way), and Windows has refused MD5 certificates for
// time stamping since the MD5 deprecation (security advisory 2862973). A
// timestamp whose authority chains through one dated the signature of an
// expired leaf, which then passed as valid, and no finding named the MD5
// certificate. Such a timestamp must not count: the chain is checked at the
// verification time, where the expired leaf is untrusted. The same
// authority minted with SHA-256 still dates it.
func TestAttackMD5SignedTimestampAuthority(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tsa := func(alg x509.SignatureAlgorithm, n int) *testpki.Cert {
		return p.Root.Issue(testpki.Spec{CommonName: "Fixture TSA " + alg.String(), KeyN: n, SignatureAlgorithm: alg,
			EKU:             []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
			ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}})
	}
	good, md5 := tsa(x509.SHA256WithRSA, 8), tsa(x509.MD5WithRSA, 8)
	for _, legacy := range []bool{false, true} {
		for _, raw := range []bool{false, true} {
			if raw && !legacy {
				continue
			}
			verify := func(a *testpki.Cert) *Result {
				spec := pefile.SignSpec{Signer: p.Expired, Certs: []*testpki.Cert{p.Inter, a}, Hash: crypto.SHA256,
					Stamp: &pefile.Stamp{TSA: a, At: fixtures.Now.AddDate(0, -2, 0), Legacy: legacy, RawRSA: raw, Hash: crypto.SHA256}}
				b, err := pefile.SignAttach(fixtures.Base(), spec)
				if err != nil {
					t.Fatal(err)
				}
				return verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			}
			if res := verify(good); res.Status != signing.StatusValid {
				t.Fatalf("legacy %v raw %v: SHA-256 authority: status %s, want valid: %+v", legacy, raw, res.Status, res.Findings)
			}
			res := verify(md5)
			if res.Status == signing.StatusValid {
				t.Errorf("legacy %v raw %v: a timestamp through an MD5-signed authority dated an expired leaf: valid", legacy, raw)
				continue
			}
			ts := res.Signatures[0].Timestamp
			if ts == nil || ts.Counts() || !strings.Contains(strings.ToLower(ts.Detail), "md5") {
				t.Errorf("legacy %v raw %v: timestamp counts or does not name MD5: %+v", legacy, raw, ts)
			}
		}
	}
}
