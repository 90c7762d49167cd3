package signing

import "fmt"

// Status is the verdict of one signature, ordered from best to worst: a larger
// value is a worse outcome, so the worst of several statuses is their maximum.
type Status int

const (
	// StatusValid results when the signed bytes are intact, the signature verifies
	// and the chain reaches a trusted root at the time that counts.
	StatusValid Status = iota
	// StatusUntrusted results when the bytes and the signature are intact but the
	// chain does not reach a root in the TrustStore (or a certificate is not valid
	// at the time that counts, or lacks a required usage).
	StatusUntrusted
	// StatusAdhoc results for an Apple ad-hoc signature: intact, but with no
	// signing identity.
	StatusAdhoc
	// StatusUnsigned results when the file carries no signature at all.
	StatusUnsigned
	// StatusRevoked results when the signature is intact but a certificate in its
	// chain is blocklisted at the signing time that counts.
	StatusRevoked
	// StatusInvalid results when the bytes or the signature do not verify.
	StatusInvalid
	// StatusMalformed results when the signature cannot be parsed.
	StatusMalformed
)

var statusNames = [...]string{"valid", "untrusted", "adhoc", "unsigned", "revoked", "invalid", "malformed"}

// String returns the lowercase name used in reports, such as "valid".
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(statusNames) {
		return nil, fmt.Errorf("signing: unknown status %d", int(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText decodes a status name.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus returns the Status named name.
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if n == name {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("signing: unknown status %q", name)
}

// Worse returns the worse of s and t.
func (s Status) Worse(t Status) Status {
	if t > s {
		return t
	}
	return s
}
