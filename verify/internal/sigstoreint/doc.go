// Package sigstoreint holds verify's tests that check Sigstore bundles with
// the real verifier, signing/sigstore.Verifier, over the bundles committed
// in signing/sigstore/testdata: policies that pass and fail on identity,
// issuer, key, timestamps and tampering, in folders, zips and through
// symbolic links.
//
// They live here, not in package verify, so that verify's own test binary
// does not link sigstore-go and the gRPC, OpenTelemetry, Rekor and TUF
// packages it brings (go list -test -deps ./verify: 715 packages with them).
// verify's tests check what it asks of a SigstoreVerifier with a stub; these
// check that the answers of the real one become the right findings. The
// package has no code of its own.
package sigstoreint
