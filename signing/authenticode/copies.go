package authenticode

import (
	"fmt"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// timestampCopies remembers the verified timestamps of one signature by
// what makes each the one it is: the authority's key and the attributes it
// signed (which hold the imprint or the stamped signature's digest, the
// time and, for an RFC 3161 token, the TSTInfo's digest).
type timestampCopies map[string]int

// copied reports whether ts, verified from val (a legacy countersignature
// or an RFC 3161 token), repeats a timestamp seen before: another copy of
// the same authority's signature over the same attributes. Its bytes add
// nothing a verifier reads, so the whole value is recorded as unowned; the
// timestamp is still listed. A timestamp that does not verify, or whose
// encoding cannot be read again, is never a copy: it is judged as usual.
func (c timestampCopies) copied(j *judgement, val []byte, legacy bool, ts *signing.Timestamp) bool {
	if ts == nil || !ts.Verified || ts.Authority == nil || ts.Authority.Certificate == nil {
		return false
	}
	var si *cms.SignerInfo
	if legacy {
		var err error
		if si, err = cms.ParseSignerInfo(val); err != nil {
			return false
		}
	} else {
		sd, err := cms.Parse(val)
		if err != nil || len(sd.Signers) != 1 {
			return false
		}
		si = sd.Signers[0]
	}
	key := fmt.Sprintf("%t\x00%s\x00%s", legacy, ts.Authority.Certificate.RawSubjectPublicKeyInfo, si.RawSignedAttrs)
	n := len(j.det.Timestamps)
	first, seen := c[key]
	if !seen {
		c[key] = n
		return false
	}
	j.own.nested.Add(j.s.sd, val, []cms.Region{{Offset: 0, Len: len(val), Payload: true,
		Reason: fmt.Sprintf("timestamp %d is a copy of timestamp %d (the same authority's signature over the same attributes), which adds nothing a verifier reads", n, first)}})
	j.det.Timestamps = append(j.det.Timestamps, *ts)
	return true
}
