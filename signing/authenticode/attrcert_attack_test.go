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
// certificates share the signature's set, reported there as a note (no
// signature covers it: TestAttackAttributeCertificateInTimestampToken);
// elsewhere the entry is an unused certificate carrying a payload, and the
// signature is invalid.
func TestAttackAttributeCertificateInSignature(t *testing.T) {
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
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
			res := verifyWithAttrCert(t, p, trust, tc.stamp, nil)
			if res.Status != tc.want {
				t.Errorf("status %s, want %s; findings %+v", res.Status, tc.want, res.Findings)
			}
			if tc.want == signing.StatusValid {
				if len(res.Findings) != 1 || res.Findings[0].Rule != RuleUnusedCertificate || res.Findings[0].Severity != signing.SeverityNote {
					t.Errorf("findings %+v, want one %s note", res.Findings, RuleUnusedCertificate)
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

// TestAttackAttributeCertificateInTimestampToken: an attribute certificate
// of about 1 KiB naming the time-stamp authority as its issuer, added to an
// RFC 3161 token's certificate set, which the token's signature does not
// cover (nor the outer signature's: the token is an unsigned attribute),
// left the signature valid with nothing reported. It is tolerated, as the
// nCipher server's in Microsoft's tokens is, but reported as a note
// (authenticode/unused-certificate) so its bytes are accounted for; a
// second one is a payload (authenticode/unowned-signature-data).
func TestAttackAttributeCertificateInTimestampToken(t *testing.T) {
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	ac := func(fill byte) []byte { return unverifiableAttrCert(p.TSA.Cert.RawSubject, fill, 400) }
	for _, tc := range []struct {
		name string
		raw  [][]byte
		want signing.Status
		rule signing.Rule
		sev  signing.Severity
	}{
		{name: "one", raw: [][]byte{ac('P')}, want: signing.StatusValid, rule: RuleUnusedCertificate, sev: signing.SeverityNote},
		{name: "two", raw: [][]byte{ac('P'), ac('Q')}, want: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stamp := &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0), RawCertificates: tc.raw}
			res := verifySigned(t, trust, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: stamp})
			if res.Status != tc.want {
				t.Errorf("status %s, want %s; findings %+v", res.Status, tc.want, res.Findings)
			}
			found := false
			for _, f := range res.Findings {
				found = found || f.Rule == tc.rule && f.Severity == tc.sev
			}
			if !found {
				t.Errorf("no %s %s finding: %+v", tc.sev, tc.rule, res.Findings)
			}
		})
	}
}

// verifyWithAttrCert verifies a file signed by p.Leaf with p.Inter, SHA-256,
// stamp and the unsigned attributes given, whose certificate set holds one
// attribute certificate naming p.Inter as its issuer with a signature
// nothing verifies (as TestAttackAttributeCertificateInSignature's).
func verifyWithAttrCert(t testing.TB, p *fixtures.PKI, trust *signing.TrustStore, stamp *pefile.Stamp, unsigned []testpki.Attr) *Result {
	t.Helper()
	ac := unverifiableAttrCert(p.Inter.Cert.RawSubject, 'P', 400)
	return verifySigned(t, trust, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: stamp,
		Unsigned: unsigned, Tweak: func(c *testpki.CMSSpec) { c.RawCertificates = [][]byte{ac} }})
}
