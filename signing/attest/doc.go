// Package attest makes and checks signed statements about a release.
//
// It covers two directions of the same problem:
//
//   - Outgoing: a pipeline that gated a release proves it to the next stage.
//     [Statement] turns a shipgate JSON report into an in-toto v1 Statement whose
//     subjects are the release's files (or the release archive) and whose
//     predicate is a SLSA Verification Summary Attestation v1. [Sign] wraps it in
//     a DSSE envelope signed with a key loaded by [LoadSigner]; [Verify] checks
//     such an envelope with a public key and fails closed on anything unexpected.
//     The envelope is the one cosign verify-blob-attestation --key accepts
//     (payloadType application/vnd.in-toto+json, standard DSSE PAE).
//
//   - Incoming: upstream artifacts signed with Sigstore. This package
//     re-exports the vocabulary of package signing/attest/blob — [BlobOptions]
//     (trusted root, expected [Identity] or key, timestamp and log
//     requirements), [BlobResult], [ErrBundle] and [ErrIdentity] — and package
//     signing/sigstore verifies the bundles. The verifier lives apart because
//     it is built on sigstore-go, which brings gRPC and OpenTelemetry; this
//     package does not import it. The vocabulary lives apart too, so that
//     verify and signing/provenance import neither this package's signing
//     libraries nor sigstore-go.
//
// Nothing here touches the network. Revocation of signing keys is not checked:
// a key is trusted exactly when the caller passes it in.
//
// Errors that callers branch on are sentinel values ([ErrSignature],
// [ErrPayloadType], [ErrSubjectMissing], …) wrapped with context; test them with
// [errors.Is].
package attest
