package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/x509name"
)

// SignerCheck is the outcome of verifying one SignerInfo: each field is a fact,
// and Err says what failed first.
type SignerCheck struct {
	// Cert is the signer's certificate, nil when it is not among the
	// certificates given.
	Cert *x509.Certificate
	// Hash is the digest algorithm.
	Hash crypto.Hash
	// MessageDigest is the signed messageDigest attribute; Computed is the
	// digest of the content. DigestOK reports whether they are equal.
	MessageDigest []byte
	Computed      []byte
	DigestOK      bool
	// ContentTypeOK reports whether the signed contentType attribute equals the
	// eContentType (true when the caller passed no content type to compare).
	ContentTypeOK bool
	// SignatureOK reports whether the signature over the signed attributes
	// verifies with Cert's key.
	SignatureOK bool
	// WeakHash is set when the signature or the digest uses MD5 or SHA-1.
	WeakHash crypto.Hash
	// Err is the first failure, nil when everything verified.
	Err error
}

// Errors a SignerCheck reports; callers branch on them with errors.Is.
var (
	ErrNoSignerCert       = errors.New("signer certificate not found in the signature")
	ErrUnknownDigest      = errors.New("unknown digest algorithm")
	ErrNoMessageDigest    = errors.New("signed attributes lack a single messageDigest")
	ErrDigestMismatch     = errors.New("messageDigest does not match the content")
	ErrContentType        = errors.New("signed contentType does not match the content")
	ErrSignature          = errors.New("signature does not verify")
	ErrNoSignedAttributes = errors.New("signer has no signed attributes")
)

// FindCertificate returns the certificate in certs that si names: by issuer
// and serial number when the signer identifier is IssuerAndSerialNumber, by
// the subjectKeyIdentifier extension when it is [0]. When several certificates
// match (a hostile signature can embed look-alikes), it returns the first; see
// [VerifySigner], which tries each.
func FindCertificate(si *SignerInfo, certs []*x509.Certificate) *x509.Certificate {
	if m := matchingCertificates(si, certs); len(m) > 0 {
		return m[0]
	}
	return nil
}

// matchingCertificates returns the certificates si's identifier names. An
// issuer name compares as RFC 5280 §7.1 asks (string types, case, spaces,
// characters RFC 4518 maps to nothing), but one more than
// MaxToleratedRegion bytes longer than the certificate's own issuer names
// nothing: the identifier is covered by no signature, and a name padded
// with characters that fold away would carry kilobytes in a field every
// check reads as owned.
func matchingCertificates(si *SignerInfo, certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		switch {
		case si.Serial != nil:
			if c.SerialNumber != nil && si.Serial.Cmp(c.SerialNumber) == 0 && len(si.IssuerRaw) <= len(c.RawIssuer)+MaxToleratedRegion && x509name.Equal(si.IssuerRaw, c.RawIssuer) {
				out = append(out, c)
			}
		case len(si.SubjectKeyID) > 0:
			// An empty identifier would match every certificate without the
			// extension.
			if bytes.Equal(si.SubjectKeyID, c.SubjectKeyId) {
				out = append(out, c)
			}
		}
	}
	return out
}

// singleValue returns the only value of the only attribute of type oid in
// attrs. RFC 5652 §11 allows exactly one instance of contentType,
// messageDigest and signingTime, each with exactly one value; a second one
// would let two verifiers read different values from the same signature.
func singleValue(attrs []Attribute, oid asn1.ObjectIdentifier) ([]byte, bool) {
	var v []byte
	n := 0
	for _, a := range attrs {
		if !a.Type.Equal(oid) {
			continue
		}
		n++
		if len(a.Values) != 1 {
			return nil, false
		}
		v = a.Values[0]
	}
	return v, n == 1
}

// VerifySigner checks si over content: the messageDigest attribute against the
// digest of content, the contentType attribute against contentType (skipped
// when contentType is nil), and the signature over the signed attributes with
// the signer certificate found in certs. Signed attributes are required, as
// every code-signing format uses them, and messageDigest and contentType must
// each appear once with one value. When several certificates match the signer
// identifier, the first whose key verifies the signature is the signer.
//
// VerifySigner checks integrity only: it does not decide whether the signer
// is trusted (chain, validity period, key usages, revocation); callers do that
// with [signing.TrustStore.VerifyChain] on the returned Cert.
func VerifySigner(si *SignerInfo, certs []*x509.Certificate, contentType asn1.ObjectIdentifier, content []byte) SignerCheck {
	r := SignerCheck{Hash: si.Hash, ContentTypeOK: true}
	cands := matchingCertificates(si, certs)
	if len(cands) > 0 {
		r.Cert = cands[0]
	}
	if si.Hash == 0 || !si.Hash.Available() {
		r.Err = fmt.Errorf("%w %s", ErrUnknownDigest, si.DigestAlgorithm)
		return r
	}
	if Weak(si.Hash) {
		r.WeakHash = si.Hash
	}
	if si.RawSignedAttrs == nil {
		r.Err = ErrNoSignedAttributes
		return r
	}
	h := si.Hash.New()
	h.Write(content)
	r.Computed = h.Sum(nil)
	md, ok := singleValue(si.SignedAttrs, OIDAttrMessageDigest)
	if !ok {
		r.Err = ErrNoMessageDigest
		return r
	}
	var mdv []byte
	if rest, err := asn1.Unmarshal(md, &mdv); err != nil || len(rest) != 0 {
		r.Err = ErrNoMessageDigest
		return r
	}
	r.MessageDigest = mdv
	r.DigestOK = subtle.ConstantTimeCompare(mdv, r.Computed) == 1
	if contentType != nil {
		ct, ok := singleValue(si.SignedAttrs, OIDAttrContentType)
		var oid asn1.ObjectIdentifier
		r.ContentTypeOK = ok
		if ok {
			rest, err := asn1.Unmarshal(ct, &oid)
			r.ContentTypeOK = err == nil && len(rest) == 0 && oid.Equal(contentType)
		}
	}
	if r.Cert == nil {
		r.Err = ErrNoSignerCert
	} else {
		var firstErr error
		for _, c := range cands {
			weak, err := CheckSignature(c.PublicKey, si, si.RawSignedAttrs)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			r.Cert, r.SignatureOK = c, true
			if weak != 0 {
				r.WeakHash = weak
			}
			break
		}
		if !r.SignatureOK {
			r.Err = fmt.Errorf("%w: %v", ErrSignature, firstErr)
		}
	}
	if r.Err == nil && !r.DigestOK {
		r.Err = ErrDigestMismatch
	}
	if r.Err == nil && !r.ContentTypeOK {
		r.Err = ErrContentType
	}
	return r
}

// CheckSignature verifies si.Signature over signed with pub, using si's
// signature algorithm (and its digest algorithm where the signature algorithm
// names only the key type). It returns the hash when it is MD5 or SHA-1.
func CheckSignature(pub any, si *SignerInfo, signed []byte) (weak crypto.Hash, err error) {
	alg := si.SignatureAlgorithm
	h := si.Hash
	if hh, ok := HashByOID(alg); ok {
		h = hh
	}
	switch {
	case alg.Equal(oidEd25519):
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return 0, fmt.Errorf("Ed25519 signature with a %T key", pub)
		}
		if !ed25519.Verify(k, signed, si.Signature) {
			return 0, errors.New("ed25519 verification failure")
		}
		return 0, nil
	case alg.Equal(oidRSAPSS):
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return 0, fmt.Errorf("RSASSA-PSS signature with a %T key", pub)
		}
		ph, salt, err := pssParams(si.SignatureAlgorithmParams)
		if err != nil {
			return 0, err
		}
		d, err := digest(ph, signed)
		if err != nil {
			return 0, err
		}
		return weakOf(ph), rsa.VerifyPSS(k, ph, d, si.Signature, &rsa.PSSOptions{SaltLength: salt, Hash: ph})
	}
	if h == 0 {
		return 0, fmt.Errorf("unknown signature algorithm %s", alg)
	}
	d, err := digest(h, signed)
	if err != nil {
		return 0, err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if !(alg.Equal(oidRSA) || isRSASig(alg)) {
			return 0, fmt.Errorf("signature algorithm %s does not fit an RSA key", alg)
		}
		if err := rsa.VerifyPKCS1v15(k, h, d, si.Signature); err != nil {
			return 0, err
		}
	case *ecdsa.PublicKey:
		if !(alg.Equal(oidECPublicKey) || isECDSASig(alg)) {
			return 0, fmt.Errorf("signature algorithm %s does not fit an ECDSA key", alg)
		}
		if !ecdsa.VerifyASN1(k, d, si.Signature) {
			return 0, errors.New("ecdsa verification failure")
		}
	default:
		return 0, fmt.Errorf("unsupported signer key type %T", pub)
	}
	return weakOf(h), nil
}

func weakOf(h crypto.Hash) crypto.Hash {
	if Weak(h) {
		return h
	}
	return 0
}

func digest(h crypto.Hash, b []byte) ([]byte, error) {
	if !h.Available() {
		return nil, fmt.Errorf("hash %v unavailable", h)
	}
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil), nil
}

func isRSASig(a asn1.ObjectIdentifier) bool {
	for _, o := range []asn1.ObjectIdentifier{oidMD5WithRSA, oidSHA1WithRSA, oidSHA224WithRS, oidSHA256WithRS, oidSHA384WithRS, oidSHA512WithRS} {
		if a.Equal(o) {
			return true
		}
	}
	return false
}

func isECDSASig(a asn1.ObjectIdentifier) bool {
	for _, o := range []asn1.ObjectIdentifier{oidECDSASHA1, oidECDSASHA256, oidECDSASHA384, oidECDSASHA512} {
		if a.Equal(o) {
			return true
		}
	}
	return false
}

// pssParams reads RSASSA-PSS-params (RFC 4055 §3.1): hash [0], mgf [1], salt
// [2], trailerField [3]. Absent fields take the RFC's defaults (SHA-1,
// MGF1-SHA-1, 20, 1). crypto/rsa always uses MGF1 with the message hash, so
// parameters naming another mask hash are refused rather than verified with
// a mask they do not describe.
func pssParams(params []byte) (crypto.Hash, int, error) {
	h, salt := crypto.SHA1, 20
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if s.Empty() {
		return h, salt, nil
	}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return 0, 0, errors.New("bad RSASSA-PSS parameters")
	}
	var f cryptobyte.String
	var ok bool
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS hash")
	}
	if ok {
		hh, err := pssHash(f)
		if err != nil {
			return 0, 0, err
		}
		h = hh
	}
	mh := crypto.SHA1 // MGF1 with SHA-1 when the field is absent
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS mask generation function")
	}
	if ok {
		var a cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !f.ReadASN1(&a, cbasn1.SEQUENCE) || !f.Empty() || !a.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidMGF1) {
			return 0, 0, errors.New("unsupported RSASSA-PSS mask generation function")
		}
		m, err := pssHash(a)
		if err != nil {
			return 0, 0, fmt.Errorf("RSASSA-PSS MGF1: %w", err)
		}
		mh = m
	}
	if mh != h {
		return 0, 0, fmt.Errorf("RSASSA-PSS MGF1 hash %v differs from the message hash %v", mh, h)
	}
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS salt length")
	}
	if ok {
		var n int64
		if !f.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !f.Empty() || n < 0 || n > 1024 {
			return 0, 0, errors.New("bad RSASSA-PSS salt length")
		}
		salt = int(n)
	}
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS trailer field")
	}
	if ok {
		var n int64
		if !f.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || !f.Empty() || n != 1 {
			return 0, 0, errors.New("RSASSA-PSS trailer field is not trailerFieldBC (1)")
		}
	}
	if !seq.Empty() {
		return 0, 0, errors.New("trailing data in RSASSA-PSS parameters")
	}
	return h, salt, nil
}

// pssHash reads the hash AlgorithmIdentifier of RSASSA-PSS parameters (or of
// MGF1's parameters) from s, which must hold exactly it. Only digest
// algorithm identifiers count here: signature algorithm OIDs that HashByOID
// tolerates in Authenticode's digestAlgorithm are refused.
func pssHash(s cryptobyte.String) (crypto.Hash, error) {
	var a cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&a, cbasn1.SEQUENCE) || !s.Empty() || !a.ReadASN1ObjectIdentifier(&oid) {
		return 0, errors.New("bad RSASSA-PSS hash algorithm")
	}
	h, known := digestByOID(oid)
	if !known || h == crypto.MD5 {
		return 0, fmt.Errorf("unsupported RSASSA-PSS hash %s", oid)
	}
	// Parameters are absent or NULL (RFC 4055 §2.1).
	if !a.Empty() {
		var null cryptobyte.String
		if !a.ReadASN1(&null, cbasn1.NULL) || !null.Empty() || !a.Empty() {
			return 0, fmt.Errorf("bad parameters of RSASSA-PSS hash %s", oid)
		}
	}
	return h, nil
}

// digestByOID maps a digest algorithm OID (not a signature algorithm OID) to
// its hash.
func digestByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range []crypto.Hash{crypto.MD5, crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		if oid.Equal(OIDForHash(h)) {
			return h, true
		}
	}
	return 0, false
}
