package authenticode

import (
	"fmt"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// timestampSlack is how far apart a signature's RFC 3161 and legacy
// timestamps may date it, beyond their stated accuracies, before they are
// reported as disagreeing: signers that add both stamp in two requests a
// few seconds apart.
const timestampSlack = time.Hour

// timestampDisagreement reports a signature that carries both an RFC 3161
// timestamp (1.3.6.1.4.1.311.3.3.1) and a legacy countersignature
// (1.2.840.113549.1.9.6) when they disagree: one verifies and the other
// does not, or both verify and date the signature more than timestampSlack
// apart. shipgate uses the first that verifies; which one WinVerifyTrust
// prefers is not documented, so when the choice could change the verdict
// (the chain checked at another time, or without a time at all) the
// disagreement is reported rather than settled silently
// (authenticode/timestamps-disagree, a warning).
func (j *judgement) timestampDisagreement() {
	var rfc, legacy *signing.Timestamp
	for i := range j.det.Timestamps {
		ts := &j.det.Timestamps[i]
		switch {
		case ts.Kind == signing.TimestampRFC3161 && rfc == nil:
			rfc = ts
		case ts.Kind == signing.TimestampLegacy && legacy == nil:
			legacy = ts
		}
	}
	if rfc == nil || legacy == nil {
		return
	}
	var msg string
	switch {
	case rfc.Verified != legacy.Verified:
		good, bad := rfc, legacy
		if legacy.Verified {
			good, bad = legacy, rfc
		}
		msg = fmt.Sprintf("its %s timestamp (%s) verifies but its %s timestamp does not (%s)", good.Kind, good.Time.UTC().Format(time.RFC3339), bad.Kind, bad.Detail)
	case rfc.Verified && (rfc.Latest().Add(timestampSlack).Before(legacy.Earliest()) || legacy.Latest().Add(timestampSlack).Before(rfc.Earliest())):
		msg = fmt.Sprintf("its %s timestamp dates it %s and its %s timestamp %s", rfc.Kind, rfc.Time.UTC().Format(time.RFC3339), legacy.Kind, legacy.Time.UTC().Format(time.RFC3339))
	default:
		return
	}
	j.finding(RuleTimestampsDisagree, signing.SeverityWarning, fmt.Sprintf("signature %d: %s; which one Windows uses is not documented, and shipgate used the first that verifies", j.i, msg))
}
