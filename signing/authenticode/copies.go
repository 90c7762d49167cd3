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
// or an RFC 3161 token), repeats a timestamp seen before (another copy of
// the same authority's signature over the same attributes) or comes after
// maxOwnedTimestamps distinct ones. Its bytes add nothing a verifier reads,
// so the whole value is recorded as unowned; the timestamp is still listed. A timestamp that does not verify, or whose
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
	var why string
	switch {
	case seen:
		why = fmt.Sprintf("timestamp %d is a copy of timestamp %d (the same authority's signature over the same attributes), which adds nothing a verifier reads", n, first)
	case len(c) >= maxOwnedTimestamps:
		// Anyone can ask a public authority for more tokens over a
		// signature, each with a nonce of their choosing: past what
		// signers write, they are room for data.
		why = fmt.Sprintf("timestamp %d verifies but comes after the %d distinct ones a signature's timestamps are owned up to; nothing reads it", n, maxOwnedTimestamps)
	default:
		c[key] = n
		return false
	}
	j.own.nested.Add(j.s.sd, val, []cms.Region{{Offset: 0, Len: len(val), Payload: len(val) > cms.MaxToleratedRegion, Reason: why}})
	j.det.Timestamps = append(j.det.Timestamps, *ts)
	return true
}

// maxOwnedTimestamps is how many distinct verified timestamps one signature
// may carry: signtool writes one (an RFC 3161 token or a legacy
// countersignature); two leave room for one re-timestamping. As many that
// do not verify may be taken for real ones that failed.
const maxOwnedTimestamps = 2

// surplusFailedTimestamp returns val, the failed-th timestamp of a
// signature that did not verify, past maxOwnedTimestamps such ones, as one
// unowned region: a timestamp that does not verify may hold next to no
// bytes counted as signed (no signed attributes, an empty signature), yet
// hundreds of them spell data in their number, their algorithms and their
// order.
func surplusFailedTimestamp(val []byte, failed int) []cms.Region {
	return []cms.Region{{Offset: 0, Len: len(val), Payload: len(val) > cms.MaxToleratedRegion,
		Reason: fmt.Sprintf("timestamp %d of its signature that does not verify, past the %d taken for real ones that failed", failed, maxOwnedTimestamps)}}
}

// distinct reports j's signature when it is a copy of an earlier signature
// of the file (a nested signature, or another WIN_CERTIFICATE entry): the
// same key's signature over the same signed attributes, whatever the
// certificates, the signer identifier or the unsigned attributes around it.
// A copy verifies as well as its original, but its bytes are owned by no
// signature of its own: a place to hide data behind a valid verdict. It is
// an error and the copy is invalid. Only signatures that verify are
// compared; signing the same content with two algorithms, or at two
// times, signs different attributes and is distinct.
func (j *judgement) distinct() {
	chk := j.chk
	if !chk.SignatureOK || chk.Cert == nil {
		return
	}
	key := string(chk.Cert.RawSubjectPublicKeyInfo) + "\x00" + string(j.s.sd.Signers[0].RawSignedAttrs)
	if j.v.signed == nil {
		j.v.signed = map[string]int{}
	}
	first, seen := j.v.signed[key]
	if !seen {
		j.v.signed[key] = j.i
		return
	}
	j.intact = false
	what := "nested in signature " + fmt.Sprint(j.s.parent)
	if j.s.parent < 0 {
		what = fmt.Sprintf("in certificate table entry %d", j.s.entry)
	}
	j.sig.AddCheck(CheckDistinct, false, fmt.Sprintf("a copy of signature %d (the same key's signature over the same signed attributes)", first))
	j.finding(RuleDuplicateSignature, signing.SeverityError,
		fmt.Sprintf("signature %d, %s, is a copy of signature %d: the same key's signature over the same signed attributes; it vouches for nothing the original does not, and its bytes are covered by no signature of their own", j.i, what, first))
}
