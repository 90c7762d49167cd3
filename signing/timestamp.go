package signing

import "time"

// TimestampKind names the kind of countersignature a Timestamp came from.
type TimestampKind string

const (
	// TimestampRFC3161 is an RFC 3161 time-stamp token.
	TimestampRFC3161 TimestampKind = "rfc3161"
	// TimestampLegacy is an Authenticode PKCS#9 counterSignature
	// (1.2.840.113549.1.9.6) with a signingTime attribute.
	TimestampLegacy TimestampKind = "legacy-countersignature"
)

// Timestamp is a trusted time asserted by a time-stamping authority over a
// signature.
type Timestamp struct {
	// Time is the asserted time, in UTC.
	Time time.Time `json:"time"`
	// Kind is the countersignature kind.
	Kind TimestampKind `json:"kind"`
	// Authority identifies the time-stamping authority's signing certificate;
	// nil when it could not be found.
	Authority *Identity `json:"authority,omitempty"`
	// Chain is the authority's chain to a trusted root, leaf first, when it verified.
	Chain []Identity `json:"-"`
	// Accuracy is the accuracy the authority states for Time (RFC 3161
	// TSTInfo accuracy), zero when it states none: the signature was made
	// no later than Time plus Accuracy, which is the time that counts
	// against a certificate's expiry or revocation ([Timestamp.Latest]).
	Accuracy time.Duration `json:"-"`
	// Verified reports whether the token's signature, its imprint over the
	// signature it stamps, the authority's timeStamping usage and its chain all
	// verified. Only a verified timestamp moves the validation time.
	Verified bool `json:"verified"`
	// Detail says why verification failed, empty when Verified.
	Detail string `json:"detail,omitempty"`
	// Intact reports that everything but the authority's chain verified: the
	// token's signature, its imprint over the stamped signature and the
	// authority certificate's fitness for time-stamping. An intact timestamp
	// whose chain is not trusted is not Verified and does not count; its
	// Detail says "timestamp intact but …".
	Intact bool `json:"-"`
	// Disregarded says why a timestamp that verified does not count: a
	// certificate of the authority's chain is blocklisted, so its time may
	// be forged, as Windows ignores a timestamp whose authority is in the
	// Disallowed store. The caller that applies blocklists (package verify)
	// sets it and then judges the signature as untimestamped; a verifier
	// sets it only where the format itself lets no timestamp count
	// (Authenticode's lifetime-signing usage).
	Disregarded string `json:"disregarded,omitempty"`
}

// SetChain records r, the authority's chain of a timestamp whose token
// verified: t becomes Intact, and Verified when r is trusted; otherwise
// Detail says the timestamp is intact and why its chain is not trusted.
func (t *Timestamp) SetChain(r ChainResult) {
	t.Chain = r.Identities()
	t.Intact = true
	switch {
	case r.Trusted:
		t.Verified, t.Detail = true, ""
	case r.Unanchored:
		t.Detail = "timestamp intact but its authority's chain does not reach a trusted root (" + r.Problem + ")"
	default:
		t.Detail = "timestamp intact but its authority's chain is not trusted (" + r.Problem + ")"
	}
}

// Counts reports whether t dates its signature: it is present, verified and
// not disregarded. A signature whose timestamp does not count may have been
// made at any moment up to the verification time.
func (t *Timestamp) Counts() bool { return t != nil && t.Verified && t.Disregarded == "" }

// AuthorityChain returns the identities of the authority's chain, leaf first:
// Chain, or the Authority alone when no chain was built.
func (t *Timestamp) AuthorityChain() []Identity {
	switch {
	case t == nil:
		return nil
	case len(t.Chain) > 0:
		return t.Chain
	case t.Authority != nil:
		return []Identity{*t.Authority}
	}
	return nil
}

// Latest returns the latest time the timestamp allows: Time plus Accuracy.
// Whether a signature was made before a certificate expired or was revoked
// is judged at this time, so that the accuracy never favours the signature.
func (t *Timestamp) Latest() time.Time { return t.Time.Add(t.Accuracy) }

// Earliest returns the earliest time the timestamp allows, Time minus
// Accuracy, for [ChainOptions.Earliest]; zero when t does not count.
func (t *Timestamp) Earliest() time.Time {
	if !t.Counts() {
		return time.Time{}
	}
	return t.Time.Add(-t.Accuracy)
}
