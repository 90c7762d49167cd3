package authenticode

import (
	"crypto"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackTimestampsDisagree: a signature with both an RFC 3161 token and
// a legacy countersignature was judged by the first that verifies, without
// a word when the other failed or dated the signature months apart. Which
// one WinVerifyTrust prefers is not documented, so the disagreement is now
// reported (authenticode/timestamps-disagree); two that agree give no
// finding.
func TestAttackTimestampsDisagree(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	at := fixtures.Now.AddDate(0, -1, 0)
	for _, c := range []struct {
		name        string
		rfc, legacy pefile.Stamp
		want        bool
	}{
		{"agree", pefile.Stamp{At: at}, pefile.Stamp{At: at.Add(5e9)}, false},
		{"legacy broken", pefile.Stamp{At: at}, pefile.Stamp{At: at, Corrupt: true}, true},
		{"rfc3161 broken", pefile.Stamp{At: at, Corrupt: true}, pefile.Stamp{At: at}, true},
		{"months apart", pefile.Stamp{At: at}, pefile.Stamp{At: at.AddDate(0, -3, 0)}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rfc, legacy := c.rfc, c.legacy
			rfc.TSA, legacy.TSA, legacy.Legacy = p.TSA, p.TSA, true
			b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Stamp: &rfc, AlsoStamp: &legacy})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			got := false
			for _, f := range res.Findings {
				if f.Rule == RuleTimestampsDisagree {
					got = true
					if f.Severity != signing.SeverityWarning || !strings.Contains(f.Message, "Windows") {
						t.Errorf("finding %+v", f)
					}
				}
			}
			if got != c.want {
				t.Errorf("timestamps-disagree reported %v, want %v: %+v", got, c.want, res.Findings)
			}
			if ts := res.Signatures[0].Timestamp; ts == nil || !ts.Verified {
				t.Errorf("no verified timestamp counts: %+v", ts)
			}
		})
	}
}
