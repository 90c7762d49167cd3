package attest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// Errors returned by this package, wrapped with context. Each names one reason
// verification failed; test for them with [errors.Is].
var (
	// ErrMalformed results when an envelope, statement or report cannot be
	// parsed, or breaks a limit or a rule of its format.
	ErrMalformed = blob.ErrMalformed
	// ErrNoSignatures results when an envelope carries no signature.
	ErrNoSignatures = errors.New("attest: envelope has no signatures")
	// ErrPayloadType results when an envelope's payloadType is not
	// application/vnd.in-toto+json.
	ErrPayloadType = errors.New("attest: wrong payload type")
	// ErrSignature results when no signature verifies with the given key, or a
	// signature that names the key does not verify: the payload, the payload
	// type or the signature was altered, or another key signed it.
	ErrSignature = errors.New("attest: signature does not verify")
	// ErrWrongKey results when every signature names, by key ID, a key other
	// than the given one and none verifies with it.
	ErrWrongKey = errors.New("attest: envelope is signed by another key")
	// ErrKeyIDMismatch results when a signature verifies with the given key but
	// is labelled with another key's ID: signatures were reordered or relabelled.
	ErrKeyIDMismatch = errors.New("attest: signature key ID does not match the key that verifies it")
	// ErrStatementType results when the payload is not an in-toto v1 Statement.
	ErrStatementType = errors.New("attest: wrong statement type")
	// ErrPredicateType results when the statement's predicate is not a SLSA
	// Verification Summary v1.
	ErrPredicateType = errors.New("attest: wrong predicate type")
	// ErrSubjectMissing results when a file the caller asked about is not a
	// subject of the statement.
	ErrSubjectMissing = errors.New("attest: subject missing from statement")
	// ErrNotPassed results when the verification summary records FAILED.
	ErrNotPassed = errors.New("attest: verification result is not PASSED")
	// ErrKey results when a key cannot be loaded or is not acceptable.
	ErrKey = blob.ErrKey
	// ErrReport results when a shipgate report cannot be attested.
	ErrReport = errors.New("attest: unusable report")
	// ErrBundle results when a Sigstore bundle does not verify.
	ErrBundle = blob.ErrBundle
	// ErrIdentity results when a Sigstore bundle verifies but its certificate
	// does not match the expected identity.
	ErrIdentity = blob.ErrIdentity
)

// FormatError locates a parse failure in a JSON document. It unwraps to
// [ErrMalformed].
type FormatError = blob.FormatError

func malformed(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// jsonError turns an encoding/json error into a FormatError with its offset.
var jsonError = blob.JSONError

// wrapError returns an error that is sentinel with err as its detail: it
// unwraps to both, and its message names the package once, so that a
// FormatError ("attest: document: …") under ErrReport reads
// "attest: unusable report: document: …", not "…: attest: document: …".
func wrapError(sentinel, err error) error { return &wrapped{sentinel, err} }

type wrapped struct{ sentinel, err error }

func (w *wrapped) Error() string {
	return w.sentinel.Error() + ": " + strings.TrimPrefix(w.err.Error(), "attest: ")
}

func (w *wrapped) Unwrap() []error { return []error{w.sentinel, w.err} }
