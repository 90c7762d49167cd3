package verify

import (
	"strings"
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

// TestAttackTimestampAccuracyWindowEnd: a blocklist entry's explicit window
// covers the signatures made while a key was compromised. A token whose
// genTime is 1 s before the window's end but whose accuracy is 10 s dates
// the signature anywhere from 9 s before to 11 s after it: the signature may
// have been made inside the window, so it stays blocked. Judging the end
// of the window by the latest time alone let the accuracy favour the
// signature.
func TestAttackTimestampAccuracyWindowEnd(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Window Root", KeyN: 82})
	leaf := root.Issue(testpki.Spec{CommonName: "Window Vendor", KeyN: 83})
	chain := []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}
	from := testpki.Epoch.Add(30 * 24 * time.Hour)
	to := from.Add(24 * time.Hour)
	l := blocklist.New()
	if err := l.Add(blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: chain[0].SHA256, NotBefore: &from, NotAfter: &to,
		Reason: blocklist.ReasonKeyCompromise, Source: "test"}); err != nil {
		t.Fatal(err)
	}
	m := &matcher{list: l, policy: blocklist.PolicyStrict, now: to.AddDate(1, 0, 0), nowGiven: true}
	for _, tc := range []struct {
		name     string
		at       time.Time
		accuracy time.Duration
		blocked  bool
	}{
		{"inside, exact", to.Add(-time.Second), 0, true},
		{"inside, accuracy past the end", to.Add(-time.Second), 10 * time.Second, true},
		{"after the end, within accuracy", to.Add(5 * time.Second), 10 * time.Second, true},
		{"after the end, beyond accuracy", to.Add(11 * time.Second), 10 * time.Second, false},
		{"before the start, within accuracy", from.Add(-5 * time.Second), 10 * time.Second, true},
		{"before the start, beyond accuracy", from.Add(-11 * time.Second), 10 * time.Second, false},
	} {
		sig := &signing.Signature{Status: signing.StatusValid, Chain: chain,
			Timestamp: &signing.Timestamp{Time: tc.at, Accuracy: tc.accuracy, Kind: signing.TimestampRFC3161, Verified: true}}
		hits := m.matchSignature(sig)
		if got := len(hits) > 0 && sig.Status == signing.StatusRevoked; got != tc.blocked {
			t.Errorf("%s: blocked %v (status %s, %d hits), want %v", tc.name, got, sig.Status, len(hits), tc.blocked)
		}
		if tc.blocked && tc.accuracy > 0 && len(hits) > 0 && !strings.Contains(hits[0].Message, "within its accuracy") {
			t.Errorf("%s: message %q does not name the accuracy", tc.name, hits[0].Message)
		}
	}
}
