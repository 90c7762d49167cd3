package attest

import "github.com/shipgate/shipgate/signing/attest/blob"

// The vocabulary of Sigstore bundle verification lives in package
// signing/attest/blob, which imports no signing library, so that verify and
// signing/provenance can describe a verification without linking attest's
// dependencies; these names keep attest's API.

// MaxBundleSize caps the size of a Sigstore bundle or trusted root document.
const MaxBundleSize = blob.MaxBundleSize

// Identity names the expected signer of a keyless Sigstore bundle (see
// [blob.Identity]).
type Identity = blob.Identity

// BlobOptions says what a Sigstore bundle must prove about an artifact (see
// [blob.Options]).
type BlobOptions = blob.Options

// BlobResult is what a verified Sigstore bundle established (see
// [blob.Result]).
type BlobResult = blob.Result

// BlobTimestamp is one verified time of a bundle's signature.
type BlobTimestamp = blob.Timestamp

// KeyOptions selects the signature scheme for a key (see [blob.KeyOptions]).
type KeyOptions = blob.KeyOptions

// Subject is one subject of a statement: a name and its SHA-256.
type Subject = blob.Subject

// CheckJSON rejects a JSON document that parsers could read differently (see
// [blob.CheckJSON]). Errors wrap ErrMalformed.
func CheckJSON(b []byte) error { return blob.CheckJSON(b) }
