package sigstore

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// certificateIdentity turns id into sigstore-go's matcher, anchoring its
// regular expressions.
func certificateIdentity(id attest.Identity) (verify.CertificateIdentity, error) {
	if (id.SAN == "") == (id.SANRegexp == "") {
		return verify.CertificateIdentity{}, fmt.Errorf("%w: identity needs exactly one of SAN and SANRegexp", attest.ErrIdentity)
	}
	if (id.Issuer == "") == (id.IssuerRegexp == "") {
		return verify.CertificateIdentity{}, fmt.Errorf("%w: identity needs exactly one of Issuer and IssuerRegexp", attest.ErrIdentity)
	}
	anchor := func(re string) (string, error) {
		if re == "" {
			return "", nil
		}
		a := "^(?:" + re + ")$"
		if _, err := regexp.Compile(a); err != nil {
			return "", fmt.Errorf("%w: regexp %q: %w", attest.ErrIdentity, re, err)
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
		return verify.CertificateIdentity{}, fmt.Errorf("%w: %w", attest.ErrIdentity, err)
	}
	return ci, nil
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
// The artifact is read once to its end. Errors wrap [attest.ErrBundle], or
// [attest.ErrIdentity] when everything verified but the certificate belongs to
// someone else.
func VerifyBlob(bundleJSON []byte, artifact io.Reader, opts attest.BlobOptions) (*attest.BlobResult, error) {
	if len(bundleJSON) > attest.MaxBundleSize {
		return nil, fmt.Errorf("%w: bundle is %d bytes, over the %d-byte limit", attest.ErrBundle, len(bundleJSON), attest.MaxBundleSize)
	}
	if len(opts.TrustedRoot) == 0 {
		return nil, fmt.Errorf("%w: no trusted root", attest.ErrBundle)
	}
	if len(opts.TrustedRoot) > attest.MaxBundleSize {
		return nil, fmt.Errorf("%w: trusted root is %d bytes, over the %d-byte limit", attest.ErrBundle, len(opts.TrustedRoot), attest.MaxBundleSize)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return nil, fmt.Errorf("%w: parsing bundle: %w", attest.ErrBundle, err)
	}
	tr, err := root.NewTrustedRootFromJSON(opts.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("%w: parsing trusted root: %w", attest.ErrBundle, err)
	}

	var material root.TrustedMaterial = tr
	var policy []verify.PolicyOption
	var keyID string
	if opts.Key != nil {
		v, err := attest.NewVerifier(opts.Key, opts.KeyOptions)
		if err != nil {
			return nil, err
		}
		if keyID, err = attest.KeyID(opts.Key); err != nil {
			return nil, err
		}
		key := root.NewExpiringKey(v, time.Time{}, time.Time{})
		keys := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
		material = root.TrustedMaterialCollection{tr, keys}
		policy = append(policy, verify.WithKey())
	} else {
		ci, err := certificateIdentity(opts.Identity)
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
		return nil, fmt.Errorf("%w: %w", attest.ErrBundle, err)
	}

	var artifactPolicy verify.ArtifactPolicyOption
	if opts.ArtifactSHA256 != nil && len(opts.ArtifactSHA256) != sha256.Size {
		return nil, fmt.Errorf("%w: artifact digest is %d bytes, not a SHA-256", attest.ErrBundle, len(opts.ArtifactSHA256))
	}
	switch {
	case opts.ArtifactSHA256 != nil && (artifact == nil || digestSuffices(&b, opts.Key)):
		artifactPolicy = verify.WithArtifactDigest("sha256", opts.ArtifactSHA256)
	case artifact != nil:
		artifactPolicy = verify.WithArtifact(artifact)
	default:
		return nil, fmt.Errorf("%w: no artifact to verify the bundle against", attest.ErrBundle)
	}

	res, err := verifier.Verify(&b, verify.NewPolicy(artifactPolicy, policy...))
	if err != nil {
		var idErr *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &idErr) {
			return nil, fmt.Errorf("%w: %w", attest.ErrIdentity, err)
		}
		return nil, fmt.Errorf("%w: %w", attest.ErrBundle, err)
	}

	out := &attest.BlobResult{MediaType: b.GetMediaType(), KeyID: keyID}
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.SAN = res.Signature.Certificate.SubjectAlternativeName
		out.Issuer = res.Signature.Certificate.Extensions.Issuer
	}
	for _, ts := range res.VerifiedTimestamps {
		out.Timestamps = append(out.Timestamps, attest.BlobTimestamp{Kind: ts.Type, URI: ts.URI, Time: ts.Timestamp.UTC()})
	}
	sort.SliceStable(out.Timestamps, func(i, j int) bool { return out.Timestamps[i].Time.Before(out.Timestamps[j].Time) })
	if res.Statement != nil {
		out.Statement = b.Bundle.GetDsseEnvelope().GetPayload()
		out.PredicateType = res.Statement.GetPredicateType()
		for _, s := range res.Statement.GetSubject() {
			out.Subjects = append(out.Subjects, attest.Subject{Name: s.GetName(), SHA256: s.GetDigest()["sha256"]})
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

// Verifier verifies Sigstore bundles with [VerifyBlob]. Its zero value is
// ready to use, and it has the method set of verify.SigstoreVerifier:
// set verify.Options.Sigstore to Verifier{} to check a policy's sigstore
// rules.
type Verifier struct{}

// VerifyBundle verifies bundleJSON over an artifact as [VerifyBlob] does. It
// checks ctx before it starts (sigstore-go's verification cannot be
// interrupted; it is bounded by [attest.MaxBundleSize] and by reading the
// artifact once).
func (Verifier) VerifyBundle(ctx context.Context, bundleJSON []byte, artifact io.Reader, opts attest.BlobOptions) (*attest.BlobResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return VerifyBlob(bundleJSON, artifact, opts)
}
