// Package signing holds the vocabulary shared by shipgate's signature verifiers:
// who signed ([Identity]), when ([Timestamp]), what was tested ([Check]), what was
// found ([Finding]), the verdict of one signature ([Status]), and which roots are
// trusted ([TrustStore]).
//
// Integrity, identity, trust and policy are separate steps. The verifiers in the
// sub-packages (authenticode, codesign) compute facts about the bytes and report
// them with these types; package verify applies a policy to them afterwards.
//
// Nothing in this package touches the network. Revocation (CRL, OCSP) is not
// checked here: blocklists are matched by package blocklist.
package signing
