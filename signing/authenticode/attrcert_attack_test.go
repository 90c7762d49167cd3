package authenticode

import (
	"crypto"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackAttributeCertificateInSignature: the certificate set of a
// signed file's own SignedData is covered by no signature. One attribute
// certificate of up to 1 KiB naming a chain certificate as its issuer, with
// a signature nothing verifies, was tolerated there without a finding, as
// the nCipher time-stamp server's is in Microsoft's RFC 3161 tokens: so
// anyone could add some 900 bytes of their own to a vendor-signed file and
// it stayed valid with nothing reported. The tolerance is the time-stamp
// token's structure, so it now holds in a token (TestAttributeCertificate…
// in internal/cms) and beside a legacy countersignature, whose authority's
// certificates share the signature's set; elsewhere the entry is an unused
// certificate carrying a payload, and the signature is invalid.
func TestAttackAttributeCertificateInSignature(t *testing.T) {
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	ac := unverifiableAttrCert(p.Inter.Cert.RawSubject, 'P', 400)
	for _, tc := range []struct {
		name  string
		stamp *pefile.Stamp
		want  signing.Status
	}{
		{name: "no timestamp", want: signing.StatusInvalid},
		{name: "RFC 3161 timestamp", stamp: &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0)}, want: signing.StatusInvalid},
		{name: "legacy countersignature", stamp: &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0), Legacy: true}, want: signing.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := verifySigned(t, trust, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: tc.stamp,
				Tweak: func(c *testpki.CMSSpec) { c.RawCertificates = [][]byte{ac} }})
			if res.Status != tc.want {
				t.Errorf("status %s, want %s; findings %+v", res.Status, tc.want, res.Findings)
			}
			if tc.want == signing.StatusValid {
				if len(res.Findings) != 0 {
					t.Errorf("findings %+v, want none", res.Findings)
				}
				return
			}
			if !hasRule(res, RuleUnusedCertificate) {
				t.Errorf("no %s finding: %+v", RuleUnusedCertificate, res.Findings)
			}
		})
	}
}

// TestOsslsigncodeAttributeCertificateInSignature: osslsigncode refuses
// the file of TestAttackAttributeCertificateInSignature ("Unable to extract
// existing signature"): OpenSSL's PKCS#7 reader takes only X.509
// certificates in the set. It agrees with Verify's verdict, for a reason
// of its own; Verify parses the entry and reports it because no signature
// covers it.
func TestOsslsigncodeAttributeCertificateInSignature(t *testing.T) {
	e := newOsslEnv(t)
	ac := unverifiableAttrCert(e.p.Inter.Cert.RawSubject, 'P', 400)
	b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: e.p.Leaf, Certs: []*testpki.Cert{e.p.Inter}, Hash: crypto.SHA256,
		Tweak: func(c *testpki.CMSSpec) { c.RawCertificates = [][]byte{ac} }})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.verify(e.write("attrcert.exe", b)); err == nil {
		t.Errorf("osslsigncode accepts the file:\n%s", out)
	}
	if res := verifyBytes(t, b, Options{Trust: e.trust, Time: fixtures.Now}); res.Status != signing.StatusInvalid || !hasRule(res, RuleUnusedCertificate) {
		t.Errorf("Verify: %s %+v, want invalid with %s", res.Status, res.Findings, RuleUnusedCertificate)
	}
}
