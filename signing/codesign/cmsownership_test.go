package codesign

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestCMSOwnership: every byte range of a slice's CMS signature that no
// verified field owns is a finding at its file offset; one that can carry a
// payload is an error that makes the slice invalid, a small oddity a warning
// that leaves it valid.
func TestCMSOwnership(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 32))
	carrier := p.Root.Issue(testpki.Spec{CommonName: "Carrier", KeyN: 3,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: testpki.TLV(0x04, bytes.Repeat([]byte("x"), 4000))}}})
	unknownAttr := testpki.Attr{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3}, Values: [][]byte{payload}}
	for _, tc := range []struct {
		name   string
		signer func(*machofile.Signer)
		status signing.Status
		rule   signing.Rule
		sev    signing.Severity
		at     []byte // the bytes the finding's offset points at
		types  int    // warnings about unsigned attribute types, besides
	}{
		{name: "clean with timestamp", signer: func(s *machofile.Signer) {}, status: signing.StatusValid},
		{name: "clean with root", signer: func(s *machofile.Signer) { s.Chain = append(s.Chain, p.Root); s.TSAChain = []*testpki.Cert{p.Root} }, status: signing.StatusValid},
		{name: "crls with a payload", signer: func(s *machofile.Signer) { s.Tweak = func(c *testpki.CMSSpec) { c.CRLs = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: testpki.TLV(0xa1, payload)},
		{name: "empty crls", signer: func(s *machofile.Signer) { s.Tweak = func(c *testpki.CMSSpec) { c.CRLs = []byte{} } },
			status: signing.StatusValid, rule: RuleUnownedSignatureData, sev: signing.SeverityWarning, at: []byte{0xa1, 0x00}},
		{name: "signer digestAlgorithm parameters", signer: func(s *machofile.Signer) { s.Tweak = func(c *testpki.CMSSpec) { c.SignerDigestParams = payload } },
			status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: payload},
		{name: "unknown unsigned attribute", signer: func(s *machofile.Signer) {
			s.Tweak = func(c *testpki.CMSSpec) { c.Unsigned = []testpki.Attr{unknownAttr} }
		}, status: signing.StatusInvalid, rule: RuleUnownedSignatureData, sev: signing.SeverityError, at: payload, types: 1},
		{name: "small unused certificate", signer: func(s *machofile.Signer) { s.Chain = append(s.Chain, p.OtherRoot) },
			status: signing.StatusValid, rule: RuleUnusedCertificate, sev: signing.SeverityWarning, at: p.OtherRoot.Cert.Raw},
		{name: "unused certificate with a large extension", signer: func(s *machofile.Signer) { s.Chain = append(s.Chain, carrier) },
			status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError, at: carrier.Cert.Raw},
		{name: "timestamp token carrying an unused certificate", signer: func(s *machofile.Signer) { s.TSAChain = []*testpki.Cert{p.Root, carrier} },
			status: signing.StatusInvalid, rule: RuleUnusedCertificate, sev: signing.SeverityError, at: carrier.Cert.Raw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := p.Signer()
			tc.signer(&signer)
			spec := p.DeveloperIDSpec("com.example.ownership")
			spec.CMS = signer.CMS
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
			if err != nil {
				t.Fatal(err)
			}
			r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
			if r.Status() != tc.status {
				t.Errorf("status %s, want %s\n%s", r.Status(), tc.status, dump(r))
			}
			var got []signing.Finding
			types := 0
			for _, f := range r.Findings {
				if f.Rule == RuleUnownedSignatureData && f.Severity == signing.SeverityWarning && strings.Contains(f.Message, "type of unsigned attribute") {
					types++
					continue
				}
				if f.Rule == RuleUnownedSignatureData || f.Rule == RuleUnusedCertificate {
					got = append(got, f)
				} else {
					t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
				}
			}
			if types != tc.types {
				t.Errorf("%d warnings about unsigned attribute types, want %d", types, tc.types)
			}
			if tc.rule == "" {
				if len(got) != 0 {
					t.Fatalf("findings %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != tc.rule || got[0].Severity != tc.sev {
				t.Fatalf("findings %+v, want one %s %s\n%s", got, tc.sev, tc.rule, dump(r))
			}
			off := *got[0].Offset
			if off < 0 || off+int64(len(tc.at)) > int64(len(b)) || !bytes.Equal(b[off:off+int64(len(tc.at))], tc.at) {
				t.Errorf("finding offset 0x%x does not point at the unowned bytes", off)
			}
		})
	}
}

// toBER rewrites every constructed element of DER with an indefinite length,
// as Apple's signer writes its CMS.
func toBER(t *testing.T, der []byte) []byte {
	t.Helper()
	var out []byte
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			t.Fatal(err)
		}
		if rv.IsCompound {
			out = append(out, rv.FullBytes[0], 0x80)
			out = append(out, toBER(t, rv.Bytes)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, rv.FullBytes...)
		}
		der = rest
	}
	return out
}

// TestCMSOwnershipBEROffsets: in a BER CMS the finding's offset is the file
// offset of the BER bytes of the unowned element, not of its DER form.
func TestCMSOwnershipBEROffsets(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 32))
	signer := p.Signer()
	signer.Tweak = func(c *testpki.CMSSpec) { c.CRLs = payload }
	spec := p.DeveloperIDSpec("com.example.ber")
	spec.CMS = func(cds []machofile.CD) ([]byte, error) {
		der, err := signer.CMS(cds)
		if err != nil {
			return nil, err
		}
		return toBER(t, der), nil
	}
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 8}), spec)
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
	want := append(append([]byte{0xa1, 0x80}, payload...), 0, 0)
	k := bytes.Index(b, want)
	if k < 0 {
		t.Fatal("BER crls not in the file")
	}
	var found bool
	for _, f := range r.Findings {
		if f.Rule == RuleUnownedSignatureData {
			found = true
			if *f.Offset != int64(k) {
				t.Errorf("offset 0x%x, want 0x%x: %s", *f.Offset, k, f.Message)
			}
		}
	}
	if !found || r.Status() != signing.StatusInvalid {
		t.Errorf("status %s, found %v\n%s", r.Status(), found, dump(r))
	}
}
