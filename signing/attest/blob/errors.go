package blob

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Errors of Sigstore bundle verification and of the JSON checks, wrapped with
// context; test for them with [errors.Is]. Package attest re-exports them
// under the same names, and their messages keep attest's prefix.
var (
	// ErrMalformed results when a document cannot be parsed, or breaks a
	// limit or a rule of its format.
	ErrMalformed = errors.New("attest: malformed input")
	// ErrKey results when a key cannot be loaded or is not acceptable.
	ErrKey = errors.New("attest: unusable key")
	// ErrBundle results when a Sigstore bundle does not verify.
	ErrBundle = errors.New("attest: sigstore bundle does not verify")
	// ErrIdentity results when a Sigstore bundle verifies but its certificate
	// does not match the expected identity.
	ErrIdentity = errors.New("attest: certificate identity does not match")
)

// FormatError locates a parse failure in a JSON document. It unwraps to
// [ErrMalformed].
type FormatError struct {
	// Offset is the byte offset in the document, or -1 when unknown.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("attest: %s at byte %d", e.Reason, e.Offset)
	}
	return "attest: " + e.Reason
}

// Unwrap returns ErrMalformed.
func (e *FormatError) Unwrap() error { return ErrMalformed }

func malformed(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// JSONError returns err, an encoding/json error met decoding what, as a
// [*FormatError] carrying the byte offset it names.
func JSONError(what string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return malformed(se.Offset, "%s: %v", what, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return malformed(te.Offset, "%s: field %q: expected %s, found JSON %s", what, te.Field, te.Type, te.Value)
	}
	return malformed(-1, "%s: %v", what, err)
}
