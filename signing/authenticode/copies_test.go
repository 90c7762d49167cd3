package authenticode

import (
	"crypto"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// stampsFor signs the fixture image once to learn the signature value, then
// makes timestamps over it with stamp, and returns the image signed with
// them as the attrs say: each attribute holds the timestamps whose indexes
// it lists.
func stampsFor(t *testing.T, stamp func(p *fixtures.PKI, sig []byte) (tokens, legacy [][]byte), layout func(tokens, legacy [][]byte) []testpki.Attr) []byte {
	t.Helper()
	p := fixtures.NewPKI()
	spec := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter, p.TSA}, Hash: crypto.SHA256}
	blob, err := pefile.Sign(fixtures.Base(), spec)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		t.Fatal(err)
	}
	spec.Unsigned = layout(stamp(p, sd.Signers[0].Signature))
	b, err := pefile.SignAttach(fixtures.Base(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func oneToken(p *fixtures.PKI, sig []byte) (tokens, legacy [][]byte) {
	at := fixtures.Now.AddDate(0, -1, 0)
	return [][]byte{p.TSA.TimestampToken(crypto.SHA256, sig, at, p.Root)}, [][]byte{p.TSA.Countersign(crypto.SHA256, sig, at)}
}

// TestAttackTimestampTokenCopies: copies of the signature's genuine
// timestamp (the RFC 3161 token again as a second value or a second
// attribute, the legacy countersignature repeated) each verified and
// passed; a copy adds nothing a verifier reads, so its bytes are unowned:
// an error, and the signature is invalid.
func TestAttackTimestampTokenCopies(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	for _, tc := range []struct {
		name   string
		layout func(tokens, legacy [][]byte) []testpki.Attr
	}{
		{"token twice in one attribute", func(tok, _ [][]byte) []testpki.Attr {
			return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: [][]byte{tok[0], tok[0]}}}
		}},
		{"token in two attributes", func(tok, _ [][]byte) []testpki.Attr {
			return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: [][]byte{tok[0]}}, {Type: pefile.OIDRFC3161CounterSign, Values: [][]byte{tok[0]}}}
		}},
		{"countersignature three times", func(_, leg [][]byte) []testpki.Attr {
			return []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: [][]byte{leg[0], leg[0], leg[0]}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := verifyBytes(t, stampsFor(t, oneToken, tc.layout), Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusInvalid {
				t.Errorf("status %s, want invalid", res.Status)
			}
			fs := findingsOf(res, RuleUnownedSignatureData)
			if len(fs) == 0 {
				t.Fatalf("no %s finding: %+v", RuleUnownedSignatureData, res.Findings)
			}
			for _, f := range fs {
				if f.Severity != signing.SeverityError {
					t.Errorf("finding %s: %s, want an error", f.Severity, f.Message)
				}
			}
			if ts := res.Signatures[0].Timestamp; ts == nil || !ts.Verified {
				t.Errorf("the genuine timestamp no longer verifies: %+v", ts)
			}
		})
	}
}

// TestDistinctTimestampsValid: timestamps that are not copies (two RFC 3161
// tokens of different times, a token beside a legacy countersignature) are
// each owned by their own authority's signature: valid, nothing reported.
func TestDistinctTimestampsValid(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	two := func(p *fixtures.PKI, sig []byte) (tokens, legacy [][]byte) {
		at := fixtures.Now.AddDate(0, -1, 0)
		return [][]byte{p.TSA.TimestampToken(crypto.SHA256, sig, at, p.Root), p.TSA.TimestampToken(crypto.SHA256, sig, at.Add(time.Hour), p.Root)},
			[][]byte{p.TSA.Countersign(crypto.SHA256, sig, at)}
	}
	for _, tc := range []struct {
		name   string
		layout func(tokens, legacy [][]byte) []testpki.Attr
	}{
		{"two tokens", func(tok, _ [][]byte) []testpki.Attr {
			return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}}
		}},
		{"a token and a countersignature", func(tok, leg [][]byte) []testpki.Attr {
			return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok[:1]}, {Type: pefile.OIDCounterSignature, Values: leg}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := verifyBytes(t, stampsFor(t, two, tc.layout), Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid: %+v", res.Status, res.Findings)
			}
			for _, f := range res.Findings {
				t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
			}
			if n := len(res.Details[0].Timestamps); n != 2 {
				t.Errorf("%d timestamps, want 2", n)
			}
		})
	}
}

// TestAttackSurplusTimestamps: anyone can ask a public authority for more
// tokens over a published signature, each distinct (its time, serial and a
// nonce of the asker's choosing); ten of them passed as owned. Past two
// distinct verified timestamps, each is unowned: an error.
func TestAttackSurplusTimestamps(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	ten := func(p *fixtures.PKI, sig []byte) (tokens, legacy [][]byte) {
		for i := range 10 {
			tokens = append(tokens, p.TSA.TimestampToken(crypto.SHA256, sig, fixtures.Now.AddDate(0, -1, 0).Add(time.Duration(i)*time.Minute), p.Root))
		}
		return tokens, nil
	}
	res := verifyBytes(t, stampsFor(t, ten, func(tok, _ [][]byte) []testpki.Attr {
		return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}}
	}), Options{Trust: trust, Time: fixtures.Now})
	if res.Status != signing.StatusInvalid {
		t.Errorf("status %s, want invalid", res.Status)
	}
	if n := len(findingsOf(res, RuleUnownedSignatureData)); n != 8 {
		t.Errorf("%d unowned-signature-data findings, want 8: %+v", n, res.Findings)
	}
}
