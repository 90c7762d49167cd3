package report

import (
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestTextDisregardedTimestamp: a timestamp that verified but does not
// count (its authority is blocklisted) is not printed as plainly
// verified.
func TestTextDisregardedTimestamp(t *testing.T) {
	at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &verify.Report{Files: []verify.File{{Path: "a.exe", Kind: verify.KindPE, Signatures: []signing.Signature{{
		Format: signing.FormatAuthenticode, Status: signing.StatusUntrusted,
		Timestamp: &signing.Timestamp{Kind: "rfc3161", Time: at, Verified: true, Disregarded: "the time-stamping authority's chain holds blocklisted certificate \"CN=Bad TSA\""},
	}}}}}
	r.Finalize(verify.FailOnError)
	b := string(write(t, r, FormatText, Options{}))
	if !strings.Contains(b, "timestamp  2020-01-02T03:04:05Z (rfc3161, verified, disregarded: the time-stamping authority's chain holds blocklisted certificate") {
		t.Errorf("timestamp line:\n%s", b)
	}
}
