package signing

// Rule is a rule ID, "family/name" in lowercase, such as
// "authenticode/cert-table-padding". Rule IDs are a public contract: reports,
// policies and pipelines match on their spelling, so a released ID never
// changes. Each package that reports findings declares its rule IDs as
// exported constants of this type in its rules.go, and docs/rules.md
// documents every one; other packages refer to those constants rather than
// spelling an ID again.
type Rule string

// String returns the rule ID.
func (r Rule) String() string { return string(r) }

// Family returns the part of the rule ID before the first "/", such as
// "authenticode", or the whole ID when it has none.
func (r Rule) Family() string {
	for i := 0; i < len(r); i++ {
		if r[i] == '/' {
			return string(r[:i])
		}
	}
	return string(r)
}

// CheckName names one test of a signature (a [Check]), such as "digest" or
// "chain". Check names appear in reports and are matched by the policy
// layer, so they are a contract as rule IDs are: packages refer to the
// constants below, or to the format-specific ones their verifier exports,
// rather than spelling a name again.
type CheckName string

// String returns the check name.
func (n CheckName) String() string { return string(n) }

// Check names shared by more than one verifier or read by the policy layer.
// Format-specific names are declared beside the verifier that runs them
// (authenticode.CheckCertTable, codesign.CheckCodeDirectory, …).
const (
	// CheckDigest compares the digest the signature records with the one
	// recomputed from the signed bytes.
	CheckDigest CheckName = "digest"
	// CheckPageHashes compares per-page hashes with the signed ones.
	CheckPageHashes CheckName = "page-hashes"
	// CheckSignature verifies the cryptographic signature with the signer's key.
	CheckSignature CheckName = "signature"
	// CheckSignatureData accounts for every byte of the signature's own
	// structure (SignedData, SuperBlob): verified, tolerated or reported.
	CheckSignatureData CheckName = "signature-data"
	// CheckChain builds the signer's chain to a trusted root at the time
	// that counts. The blocklist layer adds a failed CheckChain when the
	// chain no longer holds without a disregarded timestamp.
	CheckChain CheckName = "chain"
	// CheckEKU checks that the signer certificate may sign code.
	CheckEKU CheckName = "eku"
	// CheckTimestamp verifies the timestamp (RFC 3161 token or legacy
	// countersignature).
	CheckTimestamp CheckName = "timestamp"
	// CheckTimestampAuthority fails when a blocklist disregards the
	// timestamp because its authority's chain holds a blocked certificate.
	CheckTimestampAuthority CheckName = "timestamp-authority"
)
