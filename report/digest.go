package report

import (
	"encoding/hex"
	"fmt"
)

// Digest is a SHA-256 digest. Its text form (JSON, [Digest.String]) is 64
// lowercase hex digits. The zero Digest stands for no digest where a
// producer has none (see [Digest.IsZero]); the empty string parses as it.
//
// A report of a million files holds a million digests: as an array a
// digest costs 32 bytes inside its File, where a hex string costs 80 (its
// header and a separate 64-byte allocation) and a pointer for the
// garbage collector to follow.
type Digest [32]byte

// ParseDigest parses 64 lowercase hex digits; the empty string gives the
// zero Digest.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if s == "" {
		return d, nil
	}
	if len(s) != 2*len(d) {
		return d, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return d, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", s)
		}
	}
	hex.Decode(d[:], []byte(s))
	return d, nil
}

// IsZero reports whether d is the zero Digest (no digest).
func (d Digest) IsZero() bool { return d == Digest{} }

// String returns d as 64 lowercase hex digits.
func (d Digest) String() string {
	var b [2 * len(d)]byte // one allocation, the string's
	hex.Encode(b[:], d[:])
	return string(b[:])
}

// AppendText appends d's text form to b.
func (d Digest) AppendText(b []byte) ([]byte, error) { return hex.AppendEncode(b, d[:]), nil }

// MarshalText returns d's text form.
func (d Digest) MarshalText() ([]byte, error) { return d.AppendText(nil) }

// UnmarshalText parses d's text form, as [ParseDigest] does.
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := ParseDigest(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
