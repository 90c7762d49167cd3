package authenticode

import (
	"fmt"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// timestampSlack is how far apart a signature's timestamps may date it,
// beyond their stated accuracies, before they are reported as
// disagreeing: signers that add both kinds stamp in two requests a few
// seconds apart.
const timestampSlack = time.Hour

// timestampDisagreement reports a signature whose timestamps disagree:
// one verifies and another does not, or two that verify date the
// signature more than timestampSlack apart. Every timestamp counts,
// whatever its kind (RFC 3161, 1.3.6.1.4.1.311.3.3.1, or legacy
// countersignature, 1.2.840.113549.1.9.6) and however many there are of
// one kind. shipgate uses the first that verifies; which one
// WinVerifyTrust prefers is not documented, so when the choice could
// change the verdict (the chain checked at another time, or without a
// time at all) the disagreement is reported rather than settled silently
// (authenticode/timestamps-disagree, a warning). Nested signatures are
// judged each on its own: they sign at times of their own.
func (j *judgement) timestampDisagreement() {
	var good, bad, early, late *signing.Timestamp
	for i := range j.det.Timestamps {
		ts := &j.det.Timestamps[i]
		if !ts.Verified {
			if bad == nil {
				bad = ts
			}
			continue
		}
		if good == nil {
			good = ts
		}
		// early dates the signature latest at the earliest, late at
		// the earliest the latest: they disagree when even their
		// accuracies cannot bring them within timestampSlack.
		if early == nil || ts.Latest().Before(early.Latest()) {
			early = ts
		}
		if late == nil || ts.Earliest().After(late.Earliest()) {
			late = ts
		}
	}
	var msg string
	switch {
	case good != nil && bad != nil:
		msg = fmt.Sprintf("its %s timestamp (%s) verifies but its %s timestamp does not (%s)", good.Kind, good.Time.UTC().Format(time.RFC3339), bad.Kind, bad.Detail)
	case early != nil && early.Latest().Add(timestampSlack).Before(late.Earliest()):
		msg = fmt.Sprintf("its %s timestamp dates it %s and its %s timestamp %s", early.Kind, early.Time.UTC().Format(time.RFC3339), late.Kind, late.Time.UTC().Format(time.RFC3339))
	default:
		return
	}
	j.finding(RuleTimestampsDisagree, signing.SeverityWarning, fmt.Sprintf("signature %d: %s; which one Windows uses is not documented, and shipgate used the first that verifies", j.i, msg))
}
