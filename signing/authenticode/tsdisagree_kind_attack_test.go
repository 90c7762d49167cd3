package authenticode

import (
	"crypto"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackTimestampsOfOneKindDisagree: only the first timestamp of each
// kind was compared, so a signature with two RFC 3161 tokens (or two
// legacy countersignatures), one broken or dating it months from the
// other, gave no authenticode/timestamps-disagree: shipgate judged the
// signature by the first that verifies, while which one WinVerifyTrust
// takes is not documented. Every timestamp is now compared; two of one
// kind that agree give no finding.
func TestAttackTimestampsOfOneKindDisagree(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	at := fixtures.Now.AddDate(0, -1, 0)
	for _, c := range []struct {
		name   string
		legacy bool
		a, b   pefile.Stamp
		want   bool
	}{
		{"rfc3161 agree", false, pefile.Stamp{At: at}, pefile.Stamp{At: at.Add(5e9)}, false},
		{"rfc3161 second broken", false, pefile.Stamp{At: at}, pefile.Stamp{At: at, Corrupt: true}, true},
		{"rfc3161 months apart", false, pefile.Stamp{At: at}, pefile.Stamp{At: at.AddDate(0, -3, 0)}, true},
		{"legacy agree", true, pefile.Stamp{At: at}, pefile.Stamp{At: at.Add(5e9)}, false},
		{"legacy months apart", true, pefile.Stamp{At: at.AddDate(0, -3, 0)}, pefile.Stamp{At: at}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := c.a, c.b
			a.TSA, b.TSA, a.Legacy, b.Legacy = p.TSA, p.TSA, c.legacy, c.legacy
			pe, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: &a, AlsoStamp: &b})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, pe, Options{Trust: trust, Time: fixtures.Now})
			if n := len(res.Details[0].Timestamps); n != 2 {
				t.Fatalf("%d timestamps, want 2", n)
			}
			got := false
			for _, f := range res.Findings {
				got = got || f.Rule == RuleTimestampsDisagree
			}
			if got != c.want {
				t.Errorf("timestamps-disagree reported %v, want %v: %+v", got, c.want, res.Findings)
			}
		})
	}
}
