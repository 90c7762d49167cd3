package attest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
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

func (id Identity) certificateIdentity() (verify.CertificateIdentity, error) {
	if (id.SAN == "") == (id.SANRegexp == "") {
		return verify.CertificateIdentity{}, fmt.Errorf("%w: identity needs exactly one of SAN and SANRegexp", ErrIdentity)
	}
	if (id.Issuer == "") == (id.IssuerRegexp == "") {
		return verify.CertificateIdentity{}, fmt.Errorf("%w: identity needs exactly one of Issuer and IssuerRegexp", ErrIdentity)
	}
	anchor := func(re string) (string, error) {
		if re == "" {
			return "", nil
		}
		a := "^(?:" + re + ")$"
		if _, err := regexp.Compile(a); err != nil {
			return "", fmt.Errorf("%w: regexp %q: %w", ErrIdentity, re, err)
		}
		return a, nil
	}
	sanRE, err := anchor(id.SANRegexp)
	if err != nil {
		return verify.CertificateIdentity{}, err
	}
	issRE, err := anchor(id.IssuerRegexp)
	if err != nil {
		return verify.CertificateIdentity{}, err
	}
	ci, err := verify.NewShortCertificateIdentity(id.Issuer, issRE, id.SAN, sanRE)
	if err != nil {
		return verify.CertificateIdentity{}, fmt.Errorf("%w: %w", ErrIdentity, err)
	}
	return ci, nil
}

// BlobOptions controls [VerifyBlob].
type BlobOptions struct {
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
	// reader passed to VerifyBlob may be nil. When both are given, the
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

// BlobResult is what [VerifyBlob] established.
type BlobResult struct {
	// MediaType is the bundle's media type (it names the bundle version).
	MediaType string `json:"mediaType"`
	// SAN and Issuer are the verified certificate's identity (keyless): its
	// subject alternative name and the OIDC issuer extension.
	SAN    string `json:"san,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	// KeyID is the [KeyID] of the key that verified (keyed).
	KeyID string `json:"keyId,omitempty"`
	// Timestamps are the verified times of the signature, sorted by time:
	// Kind "Tlog" (a log's integrated time backed by a signed entry
	// timestamp) or "TimestampAuthority" (RFC 3161).
	Timestamps []BlobTimestamp `json:"timestamps"`
	// PredicateType and Subjects are set when the bundle holds a DSSE
	// in-toto statement rather than a message signature.
	PredicateType string    `json:"predicateType,omitempty"`
	Subjects      []Subject `json:"subjects,omitempty"`
}

// BlobTimestamp is one verified time of a bundle's signature.
type BlobTimestamp struct {
	Kind string    `json:"kind"`
	URI  string    `json:"uri,omitempty"`
	Time time.Time `json:"time"`
}

// VerifyBlob verifies a Sigstore bundle (v0.1 to v0.3 JSON, message signature
// or DSSE) over an artifact, offline, with sigstore-go: the transparency log
// entry (inclusion proof against its signed checkpoint and/or signed entry
// timestamp, at least one from a log in the trusted root, unless
// InsecureIgnoreTlog), at least one observer timestamp, the certificate chain
// to a trusted Fulcio CA at each verified time, embedded SCTs when the trusted
// root lists CT logs (unless InsecureIgnoreSCT), the signature over the
// artifact (for DSSE bundles: the artifact's digest must be a subject), and
// the certificate identity. Nothing is fetched.
//
// The artifact is read once to its end. Errors wrap [ErrBundle], or
// [ErrIdentity] when everything verified but the certificate belongs to
// someone else.
func VerifyBlob(bundleJSON []byte, artifact io.Reader, opts BlobOptions) (*BlobResult, error) {
	if len(bundleJSON) > MaxBundleSize {
		return nil, fmt.Errorf("%w: bundle is %d bytes, over the %d-byte limit", ErrBundle, len(bundleJSON), MaxBundleSize)
	}
	if len(opts.TrustedRoot) == 0 {
		return nil, fmt.Errorf("%w: no trusted root", ErrBundle)
	}
	if len(opts.TrustedRoot) > MaxBundleSize {
		return nil, fmt.Errorf("%w: trusted root is %d bytes, over the %d-byte limit", ErrBundle, len(opts.TrustedRoot), MaxBundleSize)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("%w: parsing bundle: %w", ErrBundle, err)
	}
	tr, err := root.NewTrustedRootFromJSON(opts.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("%w: parsing trusted root: %w", ErrBundle, err)
	}

	var material root.TrustedMaterial = tr
	var policy []verify.PolicyOption
	var keyID string
	if opts.Key != nil {
		if err := checkPublicKey(opts.Key); err != nil {
			return nil, err
		}
		lo, err := opts.KeyOptions.loadOptions()
		if err != nil {
			return nil, err
		}
		v, err := signature.LoadVerifierWithOpts(opts.Key, lo...)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
		if keyID, err = KeyID(opts.Key); err != nil {
			return nil, err
		}
		key := root.NewExpiringKey(v, time.Time{}, time.Time{})
		keys := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
		material = root.TrustedMaterialCollection{tr, keys}
		policy = append(policy, verify.WithKey())
	} else {
		ci, err := opts.Identity.certificateIdentity()
		if err != nil {
			return nil, err
		}
		policy = append(policy, verify.WithCertificateIdentity(ci))
	}

	vopts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if !opts.InsecureIgnoreTlog {
		vopts = append(vopts, verify.WithTransparencyLog(1))
	}
	if opts.SignedTimestamps > 0 {
		vopts = append(vopts, verify.WithSignedTimestamps(opts.SignedTimestamps))
	}
	if opts.Key == nil && !opts.InsecureIgnoreSCT && len(tr.CTLogs()) > 0 {
		vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
	}
	verifier, err := verify.NewVerifier(material, vopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}

	var artifactPolicy verify.ArtifactPolicyOption
	if opts.ArtifactSHA256 != nil && len(opts.ArtifactSHA256) != sha256.Size {
		return nil, fmt.Errorf("%w: artifact digest is %d bytes, not a SHA-256", ErrBundle, len(opts.ArtifactSHA256))
	}
	switch {
	case opts.ArtifactSHA256 != nil && (artifact == nil || digestSuffices(&b, opts.Key)):
		artifactPolicy = verify.WithArtifactDigest("sha256", opts.ArtifactSHA256)
	case artifact != nil:
		artifactPolicy = verify.WithArtifact(artifact)
	default:
		return nil, fmt.Errorf("%w: no artifact to verify the bundle against", ErrBundle)
	}

	res, err := verifier.Verify(&b, verify.NewPolicy(artifactPolicy, policy...))
	if err != nil {
		var idErr *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &idErr) {
			return nil, fmt.Errorf("%w: %w", ErrIdentity, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrBundle, err)
	}

	out := &BlobResult{MediaType: b.GetMediaType(), KeyID: keyID}
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.SAN = res.Signature.Certificate.SubjectAlternativeName
		out.Issuer = res.Signature.Certificate.Extensions.Issuer
	}
	for _, ts := range res.VerifiedTimestamps {
		out.Timestamps = append(out.Timestamps, BlobTimestamp{Kind: ts.Type, URI: ts.URI, Time: ts.Timestamp.UTC()})
	}
	sort.SliceStable(out.Timestamps, func(i, j int) bool { return out.Timestamps[i].Time.Before(out.Timestamps[j].Time) })
	if res.Statement != nil {
		out.PredicateType = res.Statement.GetPredicateType()
		for _, s := range res.Statement.GetSubject() {
			out.Subjects = append(out.Subjects, Subject{Name: s.GetName(), SHA256: s.GetDigest()["sha256"]})
		}
	}
	return out, nil
}

// digestSuffices reports whether the SHA-256 of the artifact is enough to
// verify b's signature: a DSSE bundle names its artifacts by digest, and a
// message signature over a SHA-256 digest can be checked against it, except
// with Ed25519 (pure Ed25519 signs the message itself, not a digest).
func digestSuffices(b *bundle.Bundle, key crypto.PublicKey) bool {
	if b.Bundle == nil {
		return false
	}
	ms := b.Bundle.GetMessageSignature()
	if ms == nil {
		return b.Bundle.GetDsseEnvelope() != nil
	}
	if ms.GetMessageDigest().GetAlgorithm() != protocommon.HashAlgorithm_SHA2_256 {
		return false
	}
	if key != nil {
		_, ed := key.(ed25519.PublicKey)
		return !ed
	}
	vc, err := b.VerificationContent()
	if err != nil || vc.Certificate() == nil {
		return false
	}
	_, ed := vc.Certificate().PublicKey.(ed25519.PublicKey)
	return !ed
}

// VerifySigstoreBundle verifies a keyless Sigstore bundle over an artifact with
// a trusted root and an expected identity, offline, with the defaults of
// [VerifyBlob]. It is the check a release policy applies to a
// "*.sigstore.json" next to an artifact.
func VerifySigstoreBundle(bundleJSON []byte, artifact io.Reader, trustedRootJSON []byte, identity Identity) error {
	_, err := VerifyBlob(bundleJSON, artifact, BlobOptions{TrustedRoot: trustedRootJSON, Identity: identity})
	return err
}
