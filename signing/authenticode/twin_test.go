package authenticode

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackUnanchoredCertificateTwins: certificates with the chain
// intermediate's name and key, each issued by a made-up CA the signature
// does not hold and carrying 3 KB of extensions, counted as used: the
// intermediate's key verifies the leaf, and no certificate we hold was
// named as their issuer to check them against. Eight of them (31 KB) passed
// as valid. A certificate whose name and key a used one already has must
// now show its own signature; one such twin is a warning, eight an error.
func TestAttackUnanchoredCertificateTwins(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	nobody := testpki.NewRoot(testpki.Spec{CommonName: "Nobody CA", KeyN: 40})
	twin := func(i int) *testpki.Cert {
		var ext []pkix.Extension
		for k := range 3 {
			ext = append(ext, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 20, k}, Value: testpki.TLV(0x04, bytes.Repeat([]byte{byte('a' + i)}, 1000))})
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(100 + i)), RawSubject: p.Inter.Cert.RawSubject, NotBefore: p.Inter.Cert.NotBefore, NotAfter: p.Inter.Cert.NotAfter,
			BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign, ExtraExtensions: ext}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, nobody.Cert, p.Inter.Cert.PublicKey, nobody.Key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return &testpki.Cert{Cert: c}
	}
	for _, tc := range []struct {
		name   string
		twins  int
		status signing.Status
		sev    signing.Severity
	}{
		{"one twin", 1, signing.StatusValid, signing.SeverityWarning},
		{"eight twins", 8, signing.StatusInvalid, signing.SeverityError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs := []*testpki.Cert{p.Inter}
			for i := range tc.twins {
				certs = append(certs, twin(i))
			}
			b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: certs, Hash: crypto.SHA256})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			for _, f := range res.Findings {
				if f.Rule != RuleUnusedCertificate || f.Severity != tc.sev {
					t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
				}
			}
			if n := len(findingsOf(res, RuleUnusedCertificate)); n != tc.twins {
				t.Errorf("%d unused certificates, want %d", n, tc.twins)
			}
		})
	}
}
