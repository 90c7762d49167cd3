// Package sigstore verifies Sigstore bundles offline: [VerifyBlob] checks a
// bundle (v0.1 to v0.3 JSON, message signature or DSSE, keyless or keyed)
// over an artifact against a trusted_root.json — certificate chain at the
// verified time, certificate identity and issuer, transparency log inclusion
// (proof and/or signed entry timestamp), embedded SCTs and RFC 3161 signed
// timestamps, all from the bundle itself. Nothing is fetched.
//
// [Verifier] is the implementation of verify.SigstoreVerifier: set
// verify.Options.Sigstore to Verifier{} and a release policy's sigstore rules
// are checked with it. The request and result types ([attest.BlobOptions],
// [attest.BlobResult], [attest.Identity]) and the errors callers branch on
// ([attest.ErrBundle], [attest.ErrIdentity]) are package attest's, so that a
// package can describe a verification without importing this one.
//
// # Why a package of its own
//
// This package is built on sigstore-go, which brings gRPC, OpenTelemetry,
// the Rekor and timestamp-authority clients, go-openapi and TUF (go list
// -deps counts about 545 packages for it, 225 for signing/attest). verify and
// signing/attest do not import it, and TestNoHeavyDependencies in signing and
// in verify keeps it that way, so an embedder that checks Authenticode and code
// signatures does not link any of that; the shipgate command imports it and
// wires it in.
//
// It sits beside signing/authenticode and signing/codesign rather than under
// signing/attest because a Sigstore bundle is a signature format of its own,
// checked over an artifact's bytes as those are, not an in-toto attestation
// (a DSSE bundle's statement is one case of it); and because an import path
// under signing/attest would read as a part of attest that comes with it,
// when the point of the split is that it does not.
package sigstore
