package authenticode

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestOwnershipOfSignatureBytes: every byte range of the PKCS#7 that no
// verified field owns is a finding at its file offset; a range that can
// carry a payload is an error that makes the signature invalid, a small
// oddity a warning that leaves it valid.
func TestOwnershipOfSignatureBytes(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 32))
	carrier := p.Root.Issue(testpki.Spec{CommonName: "Carrier", KeyN: 3,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: testpki.TLV(0x04, bytes.Repeat([]byte("x"), 4000))}}})
	stranger := p.OtherRoot
	tsa := &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -2, 0), Chain: []*testpki.Cert{p.Root}}
	for _, tc := range []struct {
		name   string
		spec   func(*pefile.SignSpec)
		status signing.Status
		rule   signing.Rule     // the one ownership rule expected, "" for none
		sev    signing.Severity // its severity
		at     []byte           // the bytes the finding's offset points at; nil to skip
		also   []signing.Rule   // other rules expected
	}{
		{name: "clean", spec: func(s *pefile.SignSpec) {}, status: signing.StatusValid},
		{name: "clean with root and timestamp", spec: func(s *pefile.SignSpec) { s.Certs = append(s.Certs, p.Root); s.Stamp = tsa }, status: signing.StatusValid},
		{name: "crls with a payload", spec: func(s *pefile.SignSpec) { s.Tweak = func(c *testpki.CMSSpec) { c.CRLs = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: testpki.TLV(0xa1, payload)},
		{name: "empty crls", spec: func(s *pefile.SignSpec) { s.Tweak = func(c *testpki.CMSSpec) { c.CRLs = []byte{} } },
			status: signing.StatusValid, rule: RuleUnownedSignatureData, sev: signing.SeverityWarning, at: []byte{0xa1, 0x00}},
		{name: "attribute certificate entry", spec: func(s *pefile.SignSpec) {
			s.Tweak = func(c *testpki.CMSSpec) { c.RawCertificates = [][]byte{testpki.TLV(0xa2, payload)} }
		}, status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: testpki.TLV(0xa2, payload)},
		{name: "digestAlgorithms parameters", spec: func(s *pefile.SignSpec) { s.Tweak = func(c *testpki.CMSSpec) { c.DigestAlgorithmsParams = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: payload},
		{name: "signer digestAlgorithm parameters", spec: func(s *pefile.SignSpec) { s.Tweak = func(c *testpki.CMSSpec) { c.SignerDigestParams = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: payload},
		{name: "signatureAlgorithm parameters", spec: func(s *pefile.SignSpec) { s.Tweak = func(c *testpki.CMSSpec) { c.SignatureParams = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: payload},
		{name: "small unused certificate", spec: func(s *pefile.SignSpec) { s.Certs = append(s.Certs, stranger) },
			status: signing.StatusValid, rule: RuleUnusedCertificate, sev: signing.SeverityWarning, at: stranger.Cert.Raw},
		{name: "unused certificate with a large extension", spec: func(s *pefile.SignSpec) { s.Certs = append(s.Certs, carrier) },
			status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError, at: carrier.Cert.Raw},
		{name: "legacy countersignature with unsigned attributes", spec: func(s *pefile.SignSpec) {
			s.Certs = append(s.Certs, p.TSA)
			s.Unsigned = []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: [][]byte{p.TSA.SignerInfo(crypto.SHA256,
				[]testpki.Attr{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}, Values: [][]byte{testpki.TLV(0x04, make([]byte, 32))}}},
				[]testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 4}, Values: [][]byte{payload}}})}}}
		}, status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, also: []signing.Rule{RuleTimestampInvalid}},
		{name: "timestamp token carrying an unused certificate", spec: func(s *pefile.SignSpec) {
			s.Stamp = &pefile.Stamp{TSA: p.TSA, At: tsa.At, Chain: []*testpki.Cert{p.Root, carrier}}
		}, status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError, at: carrier.Cert.Raw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
			tc.spec(&s)
			b, err := pefile.SignAttach(fixtures.Base(), s)
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != tc.status {
				t.Errorf("status %s, want %s; findings %+v", res.Status, tc.status, res.Findings)
			}
			var got []signing.Finding
			for _, f := range res.Findings {
				if f.Rule == RuleUnownedSignatureData || f.Rule == RuleUnusedCertificate {
					got = append(got, f)
				} else if !slices.Contains(tc.also, f.Rule) {
					t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
				}
			}
			if tc.rule == "" {
				if len(got) != 0 {
					t.Fatalf("findings %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != tc.rule || got[0].Severity != tc.sev {
				t.Fatalf("findings %+v, want one %s %s", got, tc.sev, tc.rule)
			}
			off := *got[0].Offset
			if tc.at == nil {
				if !bytes.Contains(b[off:], testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 6, 1, 4, 1, 0x86, 0x8d, 0x1f, 4}), testpki.TLV(0x31, payload))[:12]) {
					t.Errorf("finding offset 0x%x is not before the countersignature's unsigned attribute", off)
				}
			} else if off < 0 || off+int64(len(tc.at)) > int64(len(b)) || !bytes.Equal(b[off:off+int64(len(tc.at))], tc.at) {
				t.Errorf("finding offset 0x%x does not point at the unowned bytes", off)
			}
			// Status and checks agree: the signature-data check fails exactly
			// when the signature is made invalid by it.
			for _, c := range res.Signatures[0].Checks {
				if c.Name == "signature-data" && c.OK != (tc.sev == signing.SeverityWarning) {
					t.Errorf("signature-data check %+v", c)
				}
			}
		})
	}
}

// TestOwnershipOffsetsInFile: the finding's offset is the WIN_CERTIFICATE's
// blob offset plus the region's offset in the PKCS#7.
func TestOwnershipOffsetsInFile(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256,
		Tweak: func(c *testpki.CMSSpec) { c.CRLs = []byte{} }})
	if err != nil {
		t.Fatal(err)
	}
	res := verifyBytes(t, b, Options{Trust: fixtureTrust(t), Time: fixtures.Now})
	blob := res.Entries[0].Offset + 8
	k := bytes.Index(b[blob:], []byte{0xa1, 0x00, 0x31}) // crls, then signerInfos
	if k < 0 {
		t.Fatal("crls not found")
	}
	for _, f := range res.Findings {
		if f.Rule == RuleUnownedSignatureData && *f.Offset != blob+int64(k) {
			t.Errorf("offset 0x%x, want 0x%x", *f.Offset, blob+int64(k))
		}
	}
}

// TestNestedSignatureOffsets: every signature's Offset, nested ones at any
// depth included, is where its PKCS#7 starts in the file, since ownership
// findings are placed relative to it.
func TestNestedSignatureOffsets(t *testing.T) {
	t.Parallel()
	b := fixtureNamed(t, "nested-recursive.exe")
	res := verifyBytes(t, b, Options{Trust: fixtureTrust(t), Time: fixtures.Now})
	for i, d := range res.Details {
		if d.Offset < 0 || d.Offset >= int64(len(b)) {
			t.Errorf("signature %d (depth %d): offset 0x%x outside the %d-byte file", i, d.Depth, d.Offset, len(b))
			continue
		}
		sd, err := cms.Parse(b[d.Offset:])
		if err != nil {
			t.Errorf("signature %d (depth %d): no PKCS#7 at 0x%x: %v", i, d.Depth, d.Offset, err)
			continue
		}
		if got := cms.HashName(sd.Signers[0].Hash); got != res.Signatures[i].Digest.Algorithm {
			t.Errorf("signature %d (depth %d): the PKCS#7 at 0x%x signs with %s, the signature with %s", i, d.Depth, d.Offset, got, res.Signatures[i].Digest.Algorithm)
		}
	}
}

// TestUnsignedAttributeDataSeverity: unknown unsigned attributes are bytes no
// signature covers: an error once they can hold a payload (more than 16
// bytes), a warning below; either way the signed content is intact and the
// status stays valid, so a policy can lower the rule for tagged installers.
func TestUnsignedAttributeDataSeverity(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	tag := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42921, 1, 2, 1}
	for _, tc := range []struct {
		name string
		val  []byte
		sev  signing.Severity
	}{
		{"small", testpki.TLV(0x04, []byte("tag-0001")), signing.SeverityWarning},
		{"payload", testpki.TLV(0x04, bytes.Repeat([]byte("P"), 4096)), signing.SeverityError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256,
				Unsigned: []testpki.Attr{{Type: tag, Values: [][]byte{tc.val}}}})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid (the signed content is intact)", res.Status)
			}
			n := 0
			for _, f := range res.Findings {
				if f.Rule == RuleUnsignedAttributeData {
					n++
					if f.Severity != tc.sev {
						t.Errorf("severity %s, want %s", f.Severity, tc.sev)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d unsigned-attribute-data findings, want 1: %+v", n, res.Findings)
			}
		})
	}
}
