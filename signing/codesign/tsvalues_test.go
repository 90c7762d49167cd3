package codesign

import (
	"bytes"
	"crypto"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// tokenSigner returns a CMSFunc whose signer carries the unsigned
// attributes attrs(tok, other) instead of the usual one timestamp token:
// tok is the genuine token over the signer's signature, other a second
// token that verifies too, from the same authority a day later.
func tokenSigner(t *testing.T, p *machofile.PKI, attrs func(tok, other []byte) []testpki.Attr) machofile.CMSFunc {
	return func(cds []machofile.CD) ([]byte, error) {
		signer := p.Signer()
		der, err := signer.CMS(cds)
		if err != nil {
			return nil, err
		}
		sd, err := cms.Parse(der)
		if err != nil || len(sd.Signers) != 1 {
			t.Fatalf("reparsing the CMS: %v", err)
		}
		si := sd.Signers[0]
		tok := bytes.Clone(si.UnsignedAttr(cms.OIDAttrTimeStampToken).Values[0])
		other := p.TSA.TimestampToken(crypto.SHA256, si.Signature, machofile.SignTime.AddDate(0, 0, 1))
		signer.TSA = nil
		signer.Tweak = func(c *testpki.CMSSpec) { c.Unsigned = attrs(tok, other) }
		return signer.CMS(cds)
	}
}

// TestAttackCodesignTimestampExtraValues: the verifier reads only the first
// value of the first timestamp-token attribute. Further values in its SET
// (a copy of the genuine token, a second token that verifies, arbitrary
// data, a hundred small pieces) and a second timestamp-token attribute are
// bytes nothing vouches for: whichever sorts first (the SETs are DER
// sorted) is the one verified, and the rest is unowned and makes the slice
// invalid.
func TestAttackCodesignTimestampExtraValues(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 64))
	small := testpki.TLV(0x04, bytes.Repeat([]byte("P"), 12))
	ts := func(vals ...[]byte) testpki.Attr {
		return testpki.Attr{Type: cms.OIDAttrTimeStampToken, Values: vals}
	}
	for _, tc := range []struct {
		name  string
		attrs func(tok, other []byte) []testpki.Attr
	}{
		{"copy of the token as a second value", func(tok, _ []byte) []testpki.Attr { return []testpki.Attr{ts(tok, tok)} }},
		{"a second verified token as a second value", func(tok, other []byte) []testpki.Attr { return []testpki.Attr{ts(tok, other)} }},
		{"payload as a second value", func(tok, _ []byte) []testpki.Attr { return []testpki.Attr{ts(tok, payload)} }},
		{"a hundred small values", func(tok, _ []byte) []testpki.Attr {
			return []testpki.Attr{ts(append([][]byte{tok}, slices.Repeat([][]byte{small}, 99)...)...)}
		}},
		{"a second attribute with a copy of the token", func(tok, _ []byte) []testpki.Attr { return []testpki.Attr{ts(tok), ts(tok)} }},
		{"a second attribute with a second verified token", func(tok, other []byte) []testpki.Attr { return []testpki.Attr{ts(tok), ts(other)} }},
		{"a second attribute with a payload", func(tok, _ []byte) []testpki.Attr { return []testpki.Attr{ts(tok), ts(payload)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signTokens(t, p, trust, tc.attrs)
			if r.Status() != signing.StatusInvalid {
				t.Errorf("status %s, want invalid\n%s", r.Status(), dump(r))
			}
			errs := 0
			for _, f := range r.Findings {
				switch {
				case f.Rule == RuleUnownedSignatureData && f.Severity == signing.SeverityError:
					errs++
				case f.Severity == signing.SeverityError:
					t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
				}
			}
			if errs == 0 {
				t.Errorf("no %s error\n%s", RuleUnownedSignatureData, dump(r))
			}
		})
	}
}

// TestCodesignTimestampSingleToken: the same construction with the one
// genuine token Apple's signer writes is valid, with no finding.
func TestCodesignTimestampSingleToken(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	r := signTokens(t, p, testTrust(t), func(tok, _ []byte) []testpki.Attr {
		return []testpki.Attr{{Type: cms.OIDAttrTimeStampToken, Values: [][]byte{tok}}}
	})
	if r.Status() != signing.StatusValid || len(r.Findings) != 0 {
		t.Errorf("status %s with %d findings, want valid with none\n%s", r.Status(), len(r.Findings), dump(r))
	}
	if ts := r.Signatures[0].Timestamp; ts == nil || !ts.Verified {
		t.Errorf("timestamp %+v, want verified", ts)
	}
}

func signTokens(t *testing.T, p *machofile.PKI, trust *signing.TrustStore, attrs func(tok, other []byte) []testpki.Attr) *Result {
	t.Helper()
	spec := p.DeveloperIDSpec("com.example.tokens")
	spec.CMS = tokenSigner(t, p, attrs)
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
}
