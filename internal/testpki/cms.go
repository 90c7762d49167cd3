package testpki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"math/big"
	"sort"
	"time"
)

// Object identifiers the builders use.
var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidTSTInfo       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidTSAPolicy     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
)

// Attr is a CMS attribute to add, with the DER of each value.
type Attr struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// CMSSpec describes a SignedData to build with SignCMS.
type CMSSpec struct {
	// ContentType is the eContentType; nil means id-data.
	ContentType asn1.ObjectIdentifier
	// Content is the DER of the content element (ContentIsOctetString false,
	// PKCS#7 v1.5 style as Authenticode uses) or the raw data to wrap in an
	// OCTET STRING (ContentIsOctetString true).
	Content              []byte
	ContentIsOctetString bool
	// Detached leaves the content out of the SignedData; the digest still
	// covers Content.
	Detached bool
	// Signer signs; Certs are embedded (include the signer to make it findable).
	Signer *Cert
	Certs  []*Cert
	// Hash is the digest algorithm (SHA-256 when zero).
	Hash crypto.Hash
	// SigningTime adds a signingTime attribute when not zero.
	SigningTime time.Time
	// ExtraSigned and Unsigned are extra attributes.
	ExtraSigned []Attr
	Unsigned    []Attr
	// OmitContentType leaves the contentType attribute out.
	OmitContentType bool
	// MessageDigest overrides the messageDigest attribute's value when set.
	MessageDigest []byte
	// OmitMessageDigest leaves the messageDigest attribute out (add your own
	// through ExtraSigned).
	OmitMessageDigest bool
	// RawCertificates are extra certificate-set entries (DER elements of any
	// CertificateChoices) appended after Certs.
	RawCertificates [][]byte
	// CRLs, when not nil, adds a crls [1] field with these contents.
	CRLs []byte
	// DigestAlgorithmsParams, SignerDigestParams and SignatureParams, when
	// not nil, replace the NULL parameters of the digestAlgorithms entry, the
	// SignerInfo's digestAlgorithm and its signatureAlgorithm (RSA only).
	// None of them is covered by the signature.
	DigestAlgorithmsParams, SignerDigestParams, SignatureParams []byte
	// ExtraDigestAlgorithms are extra digestAlgorithms entries (DER
	// AlgorithmIdentifiers) after the signer's.
	ExtraDigestAlgorithms [][]byte
}

// SignCMS builds a DER ContentInfo holding SignedData with one SignerInfo.
func SignCMS(s CMSSpec) []byte {
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	ctype := s.ContentType
	if ctype == nil {
		ctype = oidData
	}
	var elem, covered []byte
	if s.ContentIsOctetString {
		elem = TLV(0x04, s.Content)
		covered = s.Content
	} else {
		elem = s.Content
		covered = contentsOctets(s.Content)
	}
	md := s.MessageDigest
	if md == nil {
		md = sum(h, covered)
	}
	var attrs []Attr
	if !s.OmitContentType {
		attrs = append(attrs, Attr{oidContentType, [][]byte{mustMarshal(ctype)}})
	}
	if !s.SigningTime.IsZero() {
		attrs = append(attrs, Attr{oidSigningTime, [][]byte{mustMarshal(s.SigningTime.UTC())}})
	}
	if !s.OmitMessageDigest {
		attrs = append(attrs, Attr{oidMessageDigest, [][]byte{TLV(0x04, md)}})
	}
	attrs = append(attrs, s.ExtraSigned...)
	si := signerInfoWith(s.Signer, h, attrs, s.Unsigned, s.SignerDigestParams, s.SignatureParams)

	encap := mustMarshal(ctype)
	if !s.Detached && elem != nil {
		encap = append(encap, TLV(0xa0, elem)...)
	}
	var certs []byte
	for _, c := range s.Certs {
		certs = append(certs, c.Cert.Raw...)
	}
	for _, c := range s.RawCertificates {
		certs = append(certs, c...)
	}
	var crls []byte
	if s.CRLs != nil {
		crls = TLV(0xa1, s.CRLs)
	}
	digestAlgs := algID(h)
	if s.DigestAlgorithmsParams != nil {
		digestAlgs = TLV(0x30, mustMarshal(HashOID(h)), s.DigestAlgorithmsParams)
	}
	sd := TLV(0x30,
		mustMarshal(1),
		TLV(0x31, append([][]byte{digestAlgs}, s.ExtraDigestAlgorithms...)...),
		TLV(0x30, encap),
		optional(0xa0, certs),
		crls,
		TLV(0x31, si),
	)
	return TLV(0x30, mustMarshal(oidSignedData), TLV(0xa0, sd))
}

// SignerInfo returns a DER SignerInfo signed by c with digest h over exactly
// the given signed attributes, with the given unsigned attributes.
func (c *Cert) SignerInfo(h crypto.Hash, signed, unsigned []Attr) []byte {
	return signerInfo(c, h, signed, unsigned)
}

// signerInfo builds a SignerInfo signed by c over the given signed attributes.
func signerInfo(c *Cert, h crypto.Hash, signed, unsigned []Attr) []byte {
	return signerInfoWith(c, h, signed, unsigned, nil, nil)
}

// signerInfoWith is signerInfo with the parameters of the digest and (RSA)
// signature algorithm identifiers replaced when not nil.
func signerInfoWith(c *Cert, h crypto.Hash, signed, unsigned []Attr, digestParams, sigParams []byte) []byte {
	set := attrSet(signed)
	sig, sigAlg := sign(c, h, set)
	digestAlg := algID(h)
	if digestParams != nil {
		digestAlg = TLV(0x30, mustMarshal(HashOID(h)), digestParams)
	}
	if sigParams != nil {
		sigAlg = TLV(0x30, mustMarshal(oidRSA), sigParams)
	}
	return TLV(0x30,
		mustMarshal(1),
		TLV(0x30, c.Cert.RawIssuer, mustMarshal(c.Cert.SerialNumber)),
		digestAlg,
		append([]byte{0xa0}, set[1:]...), // [0] IMPLICIT SET OF Attribute
		sigAlg,
		TLV(0x04, sig),
		optionalSet(0xa1, unsigned),
	)
}

func optionalSet(tag byte, attrs []Attr) []byte {
	if len(attrs) == 0 {
		return nil
	}
	s := attrSet(attrs)
	return append([]byte{tag}, s[1:]...)
}

// attrSet encodes attributes as a DER SET OF, sorted as DER requires.
func attrSet(attrs []Attr) []byte {
	var enc [][]byte
	for _, a := range attrs {
		var vals []byte
		for _, v := range a.Values {
			vals = append(vals, v...)
		}
		enc = append(enc, TLV(0x30, mustMarshal(a.Type), TLV(0x31, vals)))
	}
	sort.Slice(enc, func(i, j int) bool { return bytes.Compare(enc[i], enc[j]) < 0 })
	return TLV(0x31, enc...)
}

func sign(c *Cert, h crypto.Hash, msg []byte) (sig, alg []byte) {
	d := sum(h, msg)
	switch k := c.Key.(type) {
	case *rsa.PrivateKey:
		s, err := SignPKCS1v15(k, h, d)
		if err != nil {
			panic(err)
		}
		return s, TLV(0x30, mustMarshal(oidRSA), []byte{0x05, 0x00})
	case *ecdsa.PrivateKey:
		s, err := ecdsa.SignASN1(rand.Reader, k, d)
		if err != nil {
			panic(err)
		}
		oid := map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA1: {1, 2, 840, 10045, 4, 1}, crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2},
			crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3}, crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
		}[h]
		return s, TLV(0x30, mustMarshal(oid))
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg), TLV(0x30, mustMarshal(asn1.ObjectIdentifier{1, 3, 101, 112}))
	}
	panic("testpki: unsupported key type")
}

// TimestampToken returns an RFC 3161 time-stamp token over stamped (the
// signature value it countersigns) asserting time at, signed by c (mint it with
// the timeStamping EKU), embedding c and chain.
func (c *Cert) TimestampToken(h crypto.Hash, stamped []byte, at time.Time, chain ...*Cert) []byte {
	return c.TimestampTokenRaw(h, stamped, at, nil, chain...)
}

// TimestampTokenRaw is TimestampToken with raw appended, as they are, to
// the token's certificate set (attribute certificates, say).
func (c *Cert) TimestampTokenRaw(h crypto.Hash, stamped []byte, at time.Time, raw [][]byte, chain ...*Cert) []byte {
	serial := new(big.Int).SetBytes(sum(crypto.SHA256, append(stamped, []byte(at.String())...))[:8])
	tst := TLV(0x30,
		mustMarshal(1),
		mustMarshal(oidTSAPolicy),
		TLV(0x30, algID(h), TLV(0x04, sum(h, stamped))),
		mustMarshal(serial),
		TLV(0x18, []byte(at.UTC().Format("20060102150405Z"))),
	)
	return SignCMS(CMSSpec{
		ContentType: oidTSTInfo, Content: tst, ContentIsOctetString: true,
		Signer: c, Certs: append([]*Cert{c}, chain...), Hash: crypto.SHA256,
		RawCertificates: raw,
	})
}

// Countersign returns a legacy PKCS#9 counterSignature SignerInfo over stamped
// with signingTime at, signed by c. Embed c in the enclosing SignedData.
func (c *Cert) Countersign(h crypto.Hash, stamped []byte, at time.Time) []byte {
	return signerInfo(c, h, []Attr{
		{oidContentType, [][]byte{mustMarshal(oidData)}},
		{oidSigningTime, [][]byte{mustMarshal(at.UTC())}},
		{oidMessageDigest, [][]byte{TLV(0x04, sum(h, stamped))}},
	}, nil)
}

// TLV encodes one DER element with the given tag byte and the concatenated
// contents.
func TLV(tag byte, contents ...[]byte) []byte {
	n := 0
	for _, c := range contents {
		n += len(c)
	}
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	for _, c := range contents {
		out = append(out, c...)
	}
	return out
}

func optional(tag byte, contents []byte) []byte {
	if len(contents) == 0 {
		return nil
	}
	return TLV(tag, contents)
}

// contentsOctets returns the value of a DER element without tag and length.
func contentsOctets(der []byte) []byte {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rv); err != nil {
		panic("testpki: content is not DER: " + err.Error())
	}
	return rv.Bytes
}

// HashOID returns the digest algorithm identifier of h.
func HashOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.MD5:
		return asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	case crypto.SHA1:
		return asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	case crypto.SHA256:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	case crypto.SHA384:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	case crypto.SHA512:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	}
	panic("testpki: unsupported hash")
}

func algID(h crypto.Hash) []byte { return TLV(0x30, mustMarshal(HashOID(h)), []byte{0x05, 0x00}) }

func sum(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
