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
	invalid := testpki.Epoch.Add(30 * 24 * time.Hour)
	revoked := invalid.Add(24 * time.Hour)
	m, chain := accuracyMatcher(t, "Accuracy", 80, blocklist.Entry{RevokedAt: &revoked, InvalidAt: &invalid, Reason: blocklist.ReasonAffiliationChanged}, invalid)
	for _, tc := range []struct {
		accuracy time.Duration
		blocked  bool
	}{{0, false}, {10 * time.Second, true}} {
		sig := stampedSignature(chain, invalid.Add(-time.Second), tc.accuracy)
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
	from := testpki.Epoch.Add(30 * 24 * time.Hour)
	to := from.Add(24 * time.Hour)
	m, chain := accuracyMatcher(t, "Window", 82, blocklist.Entry{NotBefore: &from, NotAfter: &to, Reason: blocklist.ReasonKeyCompromise}, to)
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
		sig := stampedSignature(chain, tc.at, tc.accuracy)
		hits := m.matchSignature(sig)
		if got := len(hits) > 0 && sig.Status == signing.StatusRevoked; got != tc.blocked {
			t.Errorf("%s: blocked %v (status %s, %d hits), want %v", tc.name, got, sig.Status, len(hits), tc.blocked)
		}
		if tc.blocked && tc.accuracy > 0 && len(hits) > 0 && !strings.Contains(hits[0].Message, "within its accuracy") {
			t.Errorf("%s: message %q does not name the accuracy", tc.name, hits[0].Message)
		}
	}
}

// accuracyMatcher returns a strict matcher judging a year after at, whose
// blocklist holds e (its kind, value and source filled in) for the leaf of
// a new chain named name (keys keyN and keyN+1), and that chain.
func accuracyMatcher(t *testing.T, name string, keyN int, e blocklist.Entry, at time.Time) (*matcher, []signing.Identity) {
	t.Helper()
	root := testpki.NewRoot(testpki.Spec{CommonName: name + " Root", KeyN: keyN})
	leaf := root.Issue(testpki.Spec{CommonName: name + " Vendor", KeyN: keyN + 1})
	chain := []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}
	e.Kind, e.Value, e.Source = blocklist.KindCertSHA256, chain[0].SHA256, "test"
	l := blocklist.New()
	if err := l.Add(e); err != nil {
		t.Fatal(err)
	}
	return &matcher{list: l, policy: blocklist.PolicyStrict, now: at.AddDate(1, 0, 0), nowGiven: true}, chain
}

// stampedSignature is a valid signature by chain with a verified RFC 3161
// timestamp at at, with the accuracy given.
func stampedSignature(chain []signing.Identity, at time.Time, accuracy time.Duration) *signing.Signature {
	return &signing.Signature{Status: signing.StatusValid, Chain: chain,
		Timestamp: &signing.Timestamp{Time: at, Accuracy: accuracy, Kind: signing.TimestampRFC3161, Verified: true}}
}
