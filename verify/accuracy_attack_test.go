package verify

import (
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// TestAttackTimestampAccuracyRevocation: an RFC 3161 timestamp says the
// signature was made within its accuracy of genTime. A token 1 s before a
// certificate's invalidity date with an accuracy of 10 s may postdate it,
// so the revocation applies; the same token without accuracy predates it.
func TestAttackTimestampAccuracyRevocation(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Accuracy Root", KeyN: 80})
	leaf := root.Issue(testpki.Spec{CommonName: "Accuracy Vendor", KeyN: 81})
	chain := []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}
	invalid := testpki.Epoch.Add(30 * 24 * time.Hour)
	revoked := invalid.Add(24 * time.Hour)
	l := blocklist.New()
	if err := l.Add(blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: chain[0].SHA256, RevokedAt: &revoked, InvalidAt: &invalid,
		Reason: blocklist.ReasonAffiliationChanged, Source: "test"}); err != nil {
		t.Fatal(err)
	}
	m := &matcher{list: l, policy: blocklist.PolicyStrict, now: invalid.AddDate(1, 0, 0), nowGiven: true}
	for _, tc := range []struct {
		accuracy time.Duration
		blocked  bool
	}{{0, false}, {10 * time.Second, true}} {
		sig := &signing.Signature{Status: signing.StatusValid, Chain: chain,
			Timestamp: &signing.Timestamp{Time: invalid.Add(-time.Second), Accuracy: tc.accuracy, Kind: signing.TimestampRFC3161, Verified: true}}
		hits := m.matchSignature(sig)
		if got := len(hits) > 0 && sig.Status == signing.StatusRevoked; got != tc.blocked {
			t.Errorf("accuracy %v: blocked %v (status %s, %d hits), want %v", tc.accuracy, got, sig.Status, len(hits), tc.blocked)
		}
	}
}
