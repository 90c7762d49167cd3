package signing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackTimestampAccuracyValidity: a timestamp places the signature
// anywhere within its accuracy of its time, so verifiers check the chain
// at the latest time it allows (a leaf that expired within the accuracy
// may have signed after expiring) and from the earliest (one that became
// valid within it may have signed before). ChainOptions.Earliest carries
// the earliest; Timestamp.Latest and Earliest give the window.
func TestAttackTimestampAccuracyValidity(t *testing.T) {
	at := testpki.Epoch.Add(100 * 24 * time.Hour)
	root := testpki.NewRoot(testpki.Spec{CommonName: "Window Root", KeyN: 82})
	expiring := root.Issue(testpki.Spec{CommonName: "Expiring", KeyN: 83, NotBefore: testpki.Epoch, NotAfter: at.Add(time.Second)})
	starting := root.Issue(testpki.Spec{CommonName: "Starting", KeyN: 84, NotBefore: at.Add(-time.Second), NotAfter: at.AddDate(1, 0, 0)})
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range []time.Duration{0, 10 * time.Second} {
		ts := &signing.Timestamp{Time: at, Accuracy: acc, Verified: true}
		if !ts.Latest().Equal(at.Add(acc)) || !ts.Earliest().Equal(at.Add(-acc)) {
			t.Fatalf("accuracy %v: window [%v, %v]", acc, ts.Earliest(), ts.Latest())
		}
		for _, tc := range []struct {
			leaf *testpki.Cert
			want string
		}{{expiring, "expired"}, {starting, "not valid until"}} {
			cr := trust.VerifyChain(tc.leaf.Cert, nil, signing.ChainOptions{Time: ts.Latest(), Earliest: ts.Earliest()})
			if acc == 0 && !cr.Trusted {
				t.Errorf("%s without accuracy: %s", tc.leaf.Cert.Subject.CommonName, cr.Problem)
			}
			if acc > 0 && (cr.Trusted || !strings.Contains(cr.Problem, tc.want)) {
				t.Errorf("%s within the accuracy: trusted %v, problem %q, want %q", tc.leaf.Cert.Subject.CommonName, cr.Trusted, cr.Problem, tc.want)
			}
		}
	}
	if (&signing.Timestamp{Time: at, Accuracy: time.Second}).Earliest() != (time.Time{}) {
		t.Error("an unverified timestamp gives an earliest time")
	}
}
