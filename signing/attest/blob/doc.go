// Package blob is the vocabulary of Sigstore bundle verification: what a
// bundle must prove about an artifact ([Options], [Identity], [KeyOptions]),
// what a verified bundle established ([Result]), the errors callers branch on
// ([ErrBundle], [ErrIdentity], [ErrKey], [ErrMalformed]), and the checks of
// public keys ([ParsePublicKey]) and JSON documents ([CheckJSON]) that the
// verifiers and signing/provenance share.
//
// It imports only the standard library. Package attest, which signs and
// verifies DSSE envelopes with sigstore's signature package, in-toto's
// protobufs and x/crypto/ssh, re-exports these names; package
// signing/sigstore verifies bundles with sigstore-go. Package verify and
// signing/provenance import this package only, so a program that gates
// releases does not compile those libraries for describing a verification.
package blob
