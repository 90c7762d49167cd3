package blob

import (
	"crypto"
	"time"
)

// MaxBundleSize caps the size of a Sigstore bundle or trusted root document.
const MaxBundleSize = 16 << 20

// Identity names the expected signer of a keyless Sigstore bundle: the Fulcio
// certificate's subject alternative name (an e-mail address or a URI such as a
// GitHub workflow) and the OIDC issuer recorded in it. Each pair needs one of
// its two fields: an exact value, or a regular expression (Go syntax) that
// must match the whole value — shipgate anchors it, unlike cosign and
// sigstore-go, so "https://github.com/acme/.*" cannot match a longer URL that
// merely contains it.
type Identity struct {
	SAN          string `json:"san,omitempty"`
	SANRegexp    string `json:"sanRegexp,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	IssuerRegexp string `json:"issuerRegexp,omitempty"`
}

// Options says what a Sigstore bundle must prove about an artifact. It is
// the request of signing/sigstore.VerifyBlob, which verifies bundles; it lives
// here, with no Sigstore verification code, so that a package can describe a
// verification (verify's SigstoreVerifier does) without importing
// sigstore-go and its gRPC and OpenTelemetry dependencies, nor attest's
// signing keys and in-toto protobufs.
type Options struct {
	// TrustedRoot is a Sigstore trusted_root.json: Fulcio CAs, Rekor logs, CT
	// logs and timestamp authorities. Required.
	TrustedRoot []byte
	// Identity is the expected signer of a keyless bundle. It is required
	// unless Key is set.
	Identity Identity
	// Key, when set, makes this a keyed verification: the bundle must be
	// signed by this public key (its public-key hint is not trusted) and
	// Identity is ignored. KeyOptions selects the scheme (zero: cosign's).
	Key        crypto.PublicKey
	KeyOptions KeyOptions
	// ArtifactSHA256, when set, is the artifact's SHA-256 and the artifact
	// reader passed to the verifier may be nil. When both are given, the
	// digest is used wherever it suffices (DSSE bundles, and message
	// signatures whose message digest is SHA-256 and whose key is not
	// Ed25519) and the artifact is read only otherwise, so a caller that
	// has already hashed the artifact need not read it again. Without the
	// artifact, a bundle the digest does not suffice for fails to verify.
	ArtifactSHA256 []byte
	// SignedTimestamps is the number of RFC 3161 timestamps from trusted
	// timestamp authorities that must verify. Zero requires none beyond the
	// one observer timestamp (signed timestamp or log integrated time) every
	// verification needs.
	SignedTimestamps int
	// InsecureIgnoreTlog drops the requirement of a verified transparency log
	// entry; a signed timestamp then has to supply the signing time.
	InsecureIgnoreTlog bool
	// InsecureIgnoreSCT drops the requirement, for keyless bundles under a
	// trusted root that lists CT logs, of a verified embedded SCT.
	InsecureIgnoreSCT bool
}

// Result is what a verified Sigstore bundle established (see
// [Options]).
type Result struct {
	// MediaType is the bundle's media type (it names the bundle version).
	MediaType string `json:"mediaType"`
	// SAN and Issuer are the verified certificate's identity (keyless): its
	// subject alternative name and the OIDC issuer extension.
	SAN    string `json:"san,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	// KeyID is the attest.KeyID of the key that verified (keyed).
	KeyID string `json:"keyId,omitempty"`
	// Timestamps are the verified times of the signature, sorted by time:
	// Kind "Tlog" (a log's integrated time backed by a signed entry
	// timestamp) or "TimestampAuthority" (RFC 3161).
	Timestamps []Timestamp `json:"timestamps"`
	// PredicateType and Subjects are set when the bundle holds a DSSE
	// in-toto statement rather than a message signature.
	PredicateType string    `json:"predicateType,omitempty"`
	Subjects      []Subject `json:"subjects,omitempty"`
	// Statement is the verified DSSE payload (the in-toto statement) byte
	// for byte, for callers that interpret its predicate
	// (signing/provenance); nil for message signatures.
	Statement []byte `json:"-"`
}

// Timestamp is one verified time of a bundle's signature.
type Timestamp struct {
	Kind string    `json:"kind"`
	URI  string    `json:"uri,omitempty"`
	Time time.Time `json:"time"`
}

// Subject is one subject of a statement: a name and its SHA-256.
type Subject struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}
