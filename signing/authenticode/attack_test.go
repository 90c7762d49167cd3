package authenticode

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// unverifiableAttrCert is an RFC 5755 attribute certificate entry ([1])
// naming issuer (a DER Name) in its v2Form, with a signature of zeros, data
// bytes of fill in its attributes.
func unverifiableAttrCert(issuer []byte, fill byte, data int) []byte {
	alg := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}), []byte{5, 0})
	attrs := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 6, 1, 4, 1, 0x84, 0x59, 10, 4, 1}), testpki.TLV(0x31, testpki.TLV(0x04, bytes.Repeat([]byte{fill}, data))))
	info := testpki.TLV(0x30,
		testpki.TLV(0x02, []byte{1}),
		testpki.TLV(0x30, testpki.TLV(0xa1, testpki.TLV(0xa4, issuer))),
		testpki.TLV(0xa0, testpki.TLV(0x30, testpki.TLV(0xa4, issuer))),
		alg,
		testpki.TLV(0x02, []byte{0x11, fill}),
		testpki.TLV(0x30, testpki.TLV(0x18, []byte("20260513084337Z")), testpki.TLV(0x18, []byte("20260514084337Z"))),
		testpki.TLV(0x30, attrs),
	)
	return testpki.TLV(0xa1, info, alg, testpki.TLV(0x03, append([]byte{0}, make([]byte, 256)...)))
}

// TestOwnershipSplitPayloads: a payload cut into pieces each under the
// per-region limits (16-byte unused digestAlgorithms entries, unused
// certificates under 4 KiB with extensions under 1 KiB, attribute
// certificates under 1 KiB naming a chain certificate) still makes the
// signature invalid; one such piece alone stays a warning, but for an
// attribute certificate, tolerated only in a set that holds a time-stamp
// server's certificates.
func TestOwnershipSplitPayloads(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	algs := func(n int) [][]byte {
		var out [][]byte
		for i := range n {
			out = append(out, testpki.TLV(0x30, testpki.TLV(0x06, append(append([]byte{0x2a}, bytes.Repeat([]byte{'P'}, 10)...), byte(i&0x7f)))))
		}
		return out
	}
	var carriers []*testpki.Cert
	for i := range 6 {
		var ext []pkix.Extension
		for k := range 3 {
			ext = append(ext, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 20, k}, Value: testpki.TLV(0x04, bytes.Repeat([]byte{byte('a' + i)}, 1000))})
		}
		carriers = append(carriers, p.Root.Issue(testpki.Spec{CommonName: "Carrier", KeyN: 20 + i, ExtraExtensions: ext}))
	}
	attrCerts := func(n int) [][]byte {
		var out [][]byte
		for i := range n {
			out = append(out, unverifiableAttrCert(p.Root.Cert.RawSubject, byte('A'+i), 500))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		spec   func(*pefile.SignSpec)
		status signing.Status
		rule   signing.Rule // the rule every ownership finding has
		sev    signing.Severity
	}{
		{name: "one 16-byte unused digestAlgorithms entry", spec: func(s *pefile.SignSpec) {
			s.Tweak = func(c *testpki.CMSSpec) { c.ExtraDigestAlgorithms = algs(1) }
		}, status: signing.StatusValid, rule: RuleUnownedSignatureData, sev: signing.SeverityWarning},
		{name: "two hundred 16-byte unused digestAlgorithms entries", spec: func(s *pefile.SignSpec) {
			s.Tweak = func(c *testpki.CMSSpec) { c.ExtraDigestAlgorithms = algs(200) }
		}, status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError},
		{name: "one unused certificate under the limits", spec: func(s *pefile.SignSpec) { s.Certs = append(s.Certs, carriers[0]) },
			status: signing.StatusValid, rule: RuleUnusedCertificate, sev: signing.SeverityWarning},
		{name: "six unused certificates under the limits", spec: func(s *pefile.SignSpec) { s.Certs = append(s.Certs, carriers...) },
			status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError},
		{name: "one attribute certificate naming the root", spec: func(s *pefile.SignSpec) {
			// Tolerated only where a time-stamp server's certificates are
			// (TestAttackAttributeCertificateInSignature).
			s.Certs = append(s.Certs, p.Root)
			s.Tweak = func(c *testpki.CMSSpec) { c.RawCertificates = attrCerts(1) }
		}, status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError},
		{name: "many attribute certificates naming the root", spec: func(s *pefile.SignSpec) {
			s.Certs = append(s.Certs, p.Root)
			s.Tweak = func(c *testpki.CMSSpec) { c.RawCertificates = attrCerts(20) }
		}, status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
			tc.spec(&s)
			res := verifySigned(t, trust, s)
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			n := 0
			for _, f := range res.Findings {
				if tc.rule == "" || f.Rule != tc.rule || f.Severity != tc.sev {
					t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
					continue
				}
				n++
			}
			if tc.rule != "" && n == 0 {
				t.Errorf("no %s %s finding", tc.sev, tc.rule)
			}
		})
	}
}

// TestBrokenTimestampDoesNotOwnCertificate: a certificate is not made used
// by a timestamp that does not verify and names it as its authority (a
// legacy countersignature without signingTime, an RFC 3161 token over
// another signature): a payload-sized certificate so named is still an
// unused certificate and an error, not a timestamp warning alone.
func TestBrokenTimestampDoesNotOwnCertificate(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	carrier := p.Root.Issue(testpki.Spec{CommonName: "Carrier TSA", KeyN: 30,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: testpki.TLV(0x04, bytes.Repeat([]byte("x"), 4000))}}})
	md := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	selfCarrier := testpki.NewRoot(testpki.Spec{CommonName: "Self TSA", KeyN: 31, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: testpki.TLV(0x04, bytes.Repeat([]byte("x"), 4000))}}})
	for _, tc := range []struct {
		name string
		spec func(*pefile.SignSpec)
	}{
		{name: "legacy countersignature without signingTime", spec: func(s *pefile.SignSpec) {
			s.Certs = append(s.Certs, carrier)
			s.Unsigned = []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: [][]byte{carrier.SignerInfo(crypto.SHA256,
				[]testpki.Attr{{Type: md, Values: [][]byte{testpki.TLV(0x04, make([]byte, 32))}}}, nil)}}}
		}},
		{name: "RFC 3161 token by the carrier over other data", spec: func(s *pefile.SignSpec) {
			s.Certs = append(s.Certs, carrier)
			s.Unsigned = []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}, Values: [][]byte{carrier.TimestampToken(crypto.SHA256, []byte("something else"), fixtures.Now.AddDate(0, -1, 0), p.Root)}}}
		}},
		{name: "RFC 3161 token by a self-signed carrier", spec: func(s *pefile.SignSpec) {
			s.Stamp = &pefile.Stamp{TSA: selfCarrier, At: fixtures.Now.AddDate(0, -1, 0), Chain: []*testpki.Cert{selfCarrier}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
			tc.spec(&s)
			res := verifySigned(t, trust, s)
			if res.Status != signing.StatusInvalid {
				t.Errorf("status %s, want invalid", res.Status)
			}
			found := false
			for _, f := range res.Findings {
				t.Logf("%s %s: %s", f.Severity, f.Rule, f.Message)
				if f.Rule == RuleUnusedCertificate && f.Severity == signing.SeverityError {
					found = true
				}
			}
			if !found {
				t.Error("no error unused-certificate for the carrier")
			}
		})
	}
}

// TestBrokenTimestampPayload: a timestamp that does not verify vouches for
// none of its bytes: a legacy countersignature or an RFC 3161 token that
// fails, carrying kilobytes in its signed attributes or content, makes the
// signature invalid, not a timestamp warning alone.
func TestBrokenTimestampPayload(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	md := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	blob := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 1000))
	for _, tc := range []struct {
		name string
		spec func(*pefile.SignSpec)
	}{
		{name: "legacy countersignature with a large signed attribute", spec: func(s *pefile.SignSpec) {
			s.Certs = append(s.Certs, p.TSA)
			s.Unsigned = []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: [][]byte{p.TSA.SignerInfo(crypto.SHA256,
				[]testpki.Attr{{Type: md, Values: [][]byte{testpki.TLV(0x04, make([]byte, 32))}}, {Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 5}, Values: [][]byte{blob}}}, nil)}}}
		}},
		{name: "RFC 3161 attribute whose value is not a token", spec: func(s *pefile.SignSpec) {
			s.Unsigned = []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}, Values: [][]byte{blob}}}
		}},
		{name: "legacy countersignature attribute whose value is not a SignerInfo", spec: func(s *pefile.SignSpec) {
			s.Unsigned = []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: [][]byte{blob}}}
		}},
		{name: "RFC 3161 token with a large signed attribute, over other data", spec: func(s *pefile.SignSpec) {
			s.Unsigned = []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}, Values: [][]byte{testpki.SignCMS(testpki.CMSSpec{
				ContentType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}, Content: bytes.Repeat([]byte("T"), 64), ContentIsOctetString: true,
				Signer: p.TSA, Certs: []*testpki.Cert{p.TSA},
				ExtraSigned: []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 5}, Values: [][]byte{blob}}}})}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
			tc.spec(&s)
			res := verifySigned(t, trust, s)
			for _, f := range res.Findings {
				t.Logf("%s %s: %s", f.Severity, f.Rule, f.Message)
			}
			if res.Status != signing.StatusInvalid {
				t.Errorf("status %s, want invalid", res.Status)
			}
		})
	}
}

// TestBrokenRealTimestampStaysWarning: a real timestamp that fails (its
// imprint does not match, or its authority is untrusted) is a warning that
// leaves the signature valid: its few hundred bytes of signed data are no
// payload.
func TestBrokenRealTimestampStaysWarning(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	for name, st := range map[string]*pefile.Stamp{
		"imprint mismatch":        {TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0), Chain: []*testpki.Cert{p.Root}, Corrupt: true},
		"legacy imprint mismatch": {TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0), Chain: []*testpki.Cert{p.Root}, Corrupt: true, Legacy: true},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: st})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid", res.Status)
			}
			for _, f := range res.Findings {
				if f.Rule != RuleTimestampInvalid {
					t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
				}
			}
		})
	}
}

// TestManyBrokenTimestampsAddUp: timestamps that do not verify, each
// under the size of a real one, are a payload together beyond it.
func TestManyBrokenTimestampsAddUp(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	md := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	var vals [][]byte
	for i := range 20 {
		vals = append(vals, p.TSA.SignerInfo(crypto.SHA256, []testpki.Attr{{Type: md, Values: [][]byte{testpki.TLV(0x04, make([]byte, 32))}},
			{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 5}, Values: [][]byte{testpki.TLV(0x04, bytes.Repeat([]byte{byte('a' + i)}, 500))}}}, nil))
	}
	b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter, p.TSA}, Hash: crypto.SHA256,
		Unsigned: []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: vals}}})
	if err != nil {
		t.Fatal(err)
	}
	if res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now}); res.Status != signing.StatusInvalid {
		t.Errorf("status %s, want invalid", res.Status)
	}
}

// TestManyBrokenTimestampsNamingCertificates: timestamps that do not
// verify, each naming its own certificate under the payload limits, make
// those certificates used only up to cms.MaxUnusedCertificateBytes in all;
// past it they are unused certificates, and together a payload.
func TestManyBrokenTimestampsNamingCertificates(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	md := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	s := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
	var vals [][]byte
	for i := range 12 {
		var ext []pkix.Extension
		for k := range 3 {
			ext = append(ext, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 20, k}, Value: testpki.TLV(0x04, bytes.Repeat([]byte{byte('a' + i)}, 1000))})
		}
		c := p.Root.Issue(testpki.Spec{CommonName: "Named", KeyN: 40 + i, ExtraExtensions: ext})
		s.Certs = append(s.Certs, c)
		vals = append(vals, c.SignerInfo(crypto.SHA256, []testpki.Attr{{Type: md, Values: [][]byte{testpki.TLV(0x04, make([]byte, 32))}}}, nil))
	}
	s.Unsigned = []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: vals}}
	res := verifySigned(t, trust, s)
	if res.Status != signing.StatusInvalid {
		t.Errorf("status %s, want invalid", res.Status)
	}
}
