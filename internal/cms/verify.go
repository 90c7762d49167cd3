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

// FindCertificate returns the certificate in certs that si names.
func FindCertificate(si *SignerInfo, certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if si.Serial != nil && c.SerialNumber != nil && si.Serial.Cmp(c.SerialNumber) == 0 && bytes.Equal(si.IssuerRaw, c.RawIssuer) {
			return c
		}
		if si.SubjectKeyID != nil && bytes.Equal(si.SubjectKeyID, c.SubjectKeyId) {
			return c
		}
	}
	return nil
}

// VerifySigner checks si over content: the messageDigest attribute against the
// digest of content, the contentType attribute against contentType (skipped
// when contentType is nil), and the signature over the signed attributes with
// the signer certificate found in certs. Signed attributes are required, as
// every code-signing format uses them.
func VerifySigner(si *SignerInfo, certs []*x509.Certificate, contentType asn1.ObjectIdentifier, content []byte) SignerCheck {
	r := SignerCheck{Hash: si.Hash, ContentTypeOK: true}
	r.Cert = FindCertificate(si, certs)
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
	md := si.Attr(OIDAttrMessageDigest)
	if md == nil || len(md.Values) != 1 {
		r.Err = ErrNoMessageDigest
		return r
	}
	var mdv []byte
	if rest, err := asn1.Unmarshal(md.Values[0], &mdv); err != nil || len(rest) != 0 {
		r.Err = ErrNoMessageDigest
		return r
	}
	r.MessageDigest = mdv
	r.DigestOK = subtle.ConstantTimeCompare(mdv, r.Computed) == 1
	if contentType != nil {
		ct := si.Attr(OIDAttrContentType)
		var oid asn1.ObjectIdentifier
		r.ContentTypeOK = ct != nil && len(ct.Values) == 1
		if r.ContentTypeOK {
			rest, err := asn1.Unmarshal(ct.Values[0], &oid)
			r.ContentTypeOK = err == nil && len(rest) == 0 && oid.Equal(contentType)
		}
	}
	if r.Cert == nil {
		r.Err = ErrNoSignerCert
	} else if weak, err := CheckSignature(r.Cert.PublicKey, si, si.RawSignedAttrs); err != nil {
		r.Err = fmt.Errorf("%w: %v", ErrSignature, err)
	} else {
		r.SignatureOK = true
		if weak != 0 {
			r.WeakHash = weak
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

// pssParams reads RSASSA-PSS-params (RFC 4055): hash [0], mgf [1], salt [2].
// Absent fields take the RFC's defaults (SHA-1, MGF1-SHA-1, 20).
func pssParams(params []byte) (crypto.Hash, int, error) {
	h, salt := crypto.SHA1, 20
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if s.Empty() {
		return h, salt, nil
	}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return 0, 0, errors.New("bad RSASSA-PSS parameters")
	}
	var f cryptobyte.String
	var ok bool
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS hash")
	}
	if ok {
		var a cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !f.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) {
			return 0, 0, errors.New("bad RSASSA-PSS hash")
		}
		hh, known := HashByOID(oid)
		if !known {
			return 0, 0, fmt.Errorf("unknown RSASSA-PSS hash %s", oid)
		}
		h = hh
	}
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS mask generation function")
	}
	if ok {
		var a, p cryptobyte.String
		var oid, mh asn1.ObjectIdentifier
		if !f.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidMGF1) ||
			!a.ReadASN1(&p, cbasn1.SEQUENCE) || !p.ReadASN1ObjectIdentifier(&mh) {
			return 0, 0, errors.New("unsupported RSASSA-PSS mask generation function")
		}
		if m, known := HashByOID(mh); !known || m != h {
			return 0, 0, errors.New("RSASSA-PSS MGF1 hash differs from the message hash")
		}
	}
	if !seq.ReadOptionalASN1(&f, &ok, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return 0, 0, errors.New("bad RSASSA-PSS salt length")
	}
	if ok {
		var n int64
		if !f.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || n < 0 || n > 1024 {
			return 0, 0, errors.New("bad RSASSA-PSS salt length")
		}
		salt = int(n)
	}
	return h, salt, nil
}
