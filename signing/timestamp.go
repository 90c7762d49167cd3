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
	// Verified reports whether the token's signature, its imprint over the
	// signature it stamps, the authority's timeStamping usage and its chain all
	// verified. Only a verified timestamp moves the validation time.
	Verified bool `json:"verified"`
	// Detail says why verification failed, empty when Verified.
	Detail string `json:"detail,omitempty"`
}
