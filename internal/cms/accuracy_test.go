package cms_test

import (
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestTimestampAccuracyReported: the TSTInfo's accuracy reaches the
// Timestamp, whose Latest verifiers judge expiry and revocation at.
func TestTimestampAccuracyReported(t *testing.T) {
	p := newPKI(t)
	stamped := []byte("signature value")
	acc := testpki.TLV(0x30, mustDER(t, 10))
	tok := tokenOver(tstSpec{genTime: "20240601133000Z", stamped: stamped, tail: acc}.der(t), p.tsa, nil, p.root)
	ts := cms.VerifyTimestampToken(tok, stamped, cms.TimestampOptions{Trust: p.trust})
	want := time.Date(2024, 6, 1, 13, 30, 10, 0, time.UTC)
	if !ts.Verified || ts.Accuracy != 10*time.Second || !ts.Latest().Equal(want) {
		t.Fatalf("verified %v (%s), accuracy %v, latest %v, want %v", ts.Verified, ts.Detail, ts.Accuracy, ts.Latest(), want)
	}
}
