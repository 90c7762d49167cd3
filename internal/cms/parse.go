// Package cms parses and verifies the CMS (PKCS#7) SignedData structures that
// Authenticode, Apple code signatures and RFC 3161 time-stamp tokens are built
// on. It keeps the raw encodings a verifier needs (signed attributes as signed,
// every value of every attribute, the bytes a messageDigest covers) and accepts
// BER, since Apple's signatures use indefinite lengths.
//
// It checks digests and signatures; trust (chains, usages, times) is decided
// with signing.TrustStore.
package cms

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignedData is a parsed CMS ContentInfo holding SignedData.
type SignedData struct {
	// Version is the SignedData version.
	Version int
	// DigestAlgorithms lists the digest algorithm OIDs the SignedData announces.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is eContentType.
	ContentType asn1.ObjectIdentifier
	// RawContent is the complete DER element inside eContent [0], nil when the
	// signature is detached.
	RawContent []byte
	// Content is the contents octets of that element: the bytes a
	// messageDigest attribute covers. For an OCTET STRING that is the data
	// itself; for PKCS#7 v1.5 content such as Authenticode's
	// SpcIndirectDataContent it is the SEQUENCE's value without tag and length.
	Content []byte
	// Certificates are the certificates embedded in the SignedData, in order.
	// Entries that fail to parse are skipped and counted in BadCertificates.
	Certificates    []*x509.Certificate
	BadCertificates int
	// Signers are the SignerInfos, in order.
	Signers []*SignerInfo
	// Len is how many bytes of the input the ContentInfo used; bytes after it
	// are not part of the signature.
	Len int
	// DER is the ContentInfo re-encoded as DER.
	DER []byte
}

// SignerInfo is one CMS SignerInfo.
type SignerInfo struct {
	// Raw is the DER of the whole SignerInfo.
	Raw     []byte
	Version int
	// IssuerRaw and Serial identify the signer certificate when the signer
	// identifier is IssuerAndSerialNumber; SubjectKeyID when it is [0].
	IssuerRaw    []byte
	Serial       *big.Int
	SubjectKeyID []byte
	// DigestAlgorithm is the digest algorithm OID and Hash its hash (0 when
	// unknown).
	DigestAlgorithm asn1.ObjectIdentifier
	Hash            crypto.Hash
	// SignedAttrs are the signed attributes; RawSignedAttrs is their DER as
	// signed, with the SET OF tag (0x31) that the signature covers.
	SignedAttrs    []Attribute
	RawSignedAttrs []byte
	// SignatureAlgorithm is the signature algorithm OID with its parameters.
	SignatureAlgorithm       asn1.ObjectIdentifier
	SignatureAlgorithmParams []byte
	// Signature is the signature value ("encryptedDigest" in PKCS#7).
	Signature []byte
	// UnsignedAttrs are the unsigned attributes: nobody signed these bytes.
	UnsignedAttrs []Attribute
}

// Attribute is a CMS attribute with every value of its SET.
type Attribute struct {
	Type asn1.ObjectIdentifier
	// Values holds the DER of each value.
	Values [][]byte
}

// Attr returns the signed attribute of type oid, or nil.
func (si *SignerInfo) Attr(oid asn1.ObjectIdentifier) *Attribute {
	return findAttr(si.SignedAttrs, oid)
}

// UnsignedAttr returns the first unsigned attribute of type oid, or nil.
func (si *SignerInfo) UnsignedAttr(oid asn1.ObjectIdentifier) *Attribute {
	return findAttr(si.UnsignedAttrs, oid)
}

func findAttr(attrs []Attribute, oid asn1.ObjectIdentifier) *Attribute {
	for i := range attrs {
		if attrs[i].Type.Equal(oid) {
			return &attrs[i]
		}
	}
	return nil
}

// Parse parses a CMS ContentInfo holding SignedData from the start of b. Bytes
// after the ContentInfo are ignored and reported through SignedData.Len; bytes
// inside it that no field owns (after the SignedData, after signerInfos, after
// eContent, inside a SignerInfo or an Attribute) are an error, since no digest
// covers them and no padding check would see them. Only the first MaxSize
// bytes of b are read.
func Parse(b []byte) (*SignedData, error) {
	der, used, err := berToDER(b)
	if err != nil {
		return nil, err
	}
	sd, err := parseContentInfo(der)
	if err != nil {
		return nil, err
	}
	sd.Len = used
	sd.DER = der
	return sd, nil
}

func parseContentInfo(der []byte) (*SignedData, error) {
	in := cryptobyte.String(der)
	var ci, body cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ctype) {
		return nil, errAt(0, "not a CMS ContentInfo")
	}
	if !ctype.Equal(OIDSignedData) {
		return nil, errAt(0, "content type %s is not SignedData", ctype)
	}
	if !ci.ReadASN1(&body, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errAt(0, "ContentInfo without content")
	}
	if !ci.Empty() {
		// Nothing covers bytes here: they would be a hiding place inside the
		// signature blob that no digest or padding check sees.
		return nil, errAt(0, "trailing data inside ContentInfo")
	}
	return parseSignedData(body, len(der)-len(body))
}

func parseSignedData(body cryptobyte.String, base int) (*SignedData, error) {
	var sdSeq cryptobyte.String
	if !body.ReadASN1(&sdSeq, cbasn1.SEQUENCE) {
		return nil, errAt(base, "SignedData is not a SEQUENCE")
	}
	if !body.Empty() {
		return nil, errAt(base, "trailing data after SignedData")
	}
	sd := &SignedData{}
	var v int64
	if !sdSeq.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return nil, errAt(base, "SignedData version missing")
	}
	sd.Version = int(v)
	var algs cryptobyte.String
	if !sdSeq.ReadASN1(&algs, cbasn1.SET) {
		return nil, errAt(base, "SignedData digestAlgorithms missing")
	}
	for !algs.Empty() {
		var a cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !algs.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) {
			return nil, errAt(base, "bad digest AlgorithmIdentifier")
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, oid)
	}
	var eci cryptobyte.String
	if !sdSeq.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&sd.ContentType) {
		return nil, errAt(base, "bad encapContentInfo")
	}
	if !eci.Empty() {
		var explicit cryptobyte.String
		if !eci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, errAt(base, "bad eContent")
		}
		var elem cryptobyte.String
		var tag cbasn1.Tag
		var hdr int
		if !explicit.ReadAnyASN1Element(&elem, &tag) || !explicit.Empty() || !eci.Empty() {
			return nil, errAt(base, "bad eContent element")
		}
		raw := []byte(elem)
		var content cryptobyte.String
		cs := cryptobyte.String(raw)
		if !cs.ReadAnyASN1(&content, &tag) {
			return nil, errAt(base, "bad eContent element")
		}
		hdr = len(raw) - len(content)
		sd.RawContent = raw
		sd.Content = raw[hdr:]
	}
	var certs cryptobyte.String
	var present bool
	if !sdSeq.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errAt(base, "bad certificates field")
	}
	for present && !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, errAt(base, "bad certificate entry")
		}
		if tag != cbasn1.SEQUENCE {
			// Attribute certificates and other choices are not X.509 certificates.
			sd.BadCertificates++
			continue
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			sd.BadCertificates++
			continue
		}
		sd.Certificates = append(sd.Certificates, cert)
	}
	var crls cryptobyte.String
	if !sdSeq.ReadOptionalASN1(&crls, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, errAt(base, "bad crls field")
	}
	var sis cryptobyte.String
	if !sdSeq.ReadASN1(&sis, cbasn1.SET) {
		return nil, errAt(base, "signerInfos missing")
	}
	for !sis.Empty() {
		var raw cryptobyte.String
		var tag cbasn1.Tag
		if !sis.ReadAnyASN1Element(&raw, &tag) || tag != cbasn1.SEQUENCE {
			return nil, errAt(base, "bad SignerInfo")
		}
		si, err := ParseSignerInfo(raw)
		if err != nil {
			return nil, err
		}
		sd.Signers = append(sd.Signers, si)
	}
	if !sdSeq.Empty() {
		return nil, errAt(base, "trailing data inside SignedData")
	}
	return sd, nil
}

// ParseSignerInfo parses one DER SignerInfo, such as the value of a legacy
// PKCS#9 counterSignature attribute; nothing may follow it. A
// subjectKeyIdentifier signer identifier must not be empty.
func ParseSignerInfo(der []byte) (*SignerInfo, error) {
	si := &SignerInfo{Raw: der}
	in := cryptobyte.String(der)
	var s cryptobyte.String
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errAt(0, "SignerInfo is not a SEQUENCE")
	}
	var v int64
	if !s.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return nil, errAt(0, "SignerInfo version missing")
	}
	si.Version = int(v)
	var sid cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&sid, &tag) {
		return nil, errAt(0, "SignerInfo sid missing")
	}
	switch tag {
	case cbasn1.SEQUENCE:
		var ias, issuer cryptobyte.String
		si.Serial = new(big.Int)
		if !sid.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(si.Serial) || !ias.Empty() || !sid.Empty() {
			return nil, errAt(0, "bad IssuerAndSerialNumber")
		}
		si.IssuerRaw = issuer
	case cbasn1.Tag(0).ContextSpecific():
		var ski cryptobyte.String
		if !sid.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) || len(ski) == 0 {
			return nil, errAt(0, "bad SubjectKeyIdentifier")
		}
		si.SubjectKeyID = ski
	default:
		return nil, errAt(0, "unknown signer identifier tag %d", int(tag))
	}
	var alg cryptobyte.String
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&si.DigestAlgorithm) {
		return nil, errAt(0, "bad digestAlgorithm")
	}
	si.Hash, _ = HashByOID(si.DigestAlgorithm)
	var sattrs cryptobyte.String
	var present bool
	if s.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var elem cryptobyte.String
		if !s.ReadASN1Element(&elem, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, errAt(0, "bad signedAttrs")
		}
		// The signature covers the attributes encoded with the SET OF tag.
		si.RawSignedAttrs = append([]byte{0x31}, elem[1:]...)
		e := cryptobyte.String(elem)
		e.ReadASN1(&sattrs, cbasn1.Tag(0).Constructed().ContextSpecific())
		attrs, err := parseAttributes(sattrs)
		if err != nil {
			return nil, err
		}
		si.SignedAttrs = attrs
	}
	var salg cryptobyte.String
	if !s.ReadASN1(&salg, cbasn1.SEQUENCE) || !salg.ReadASN1ObjectIdentifier(&si.SignatureAlgorithm) {
		return nil, errAt(0, "bad signatureAlgorithm")
	}
	si.SignatureAlgorithmParams = salg
	var sig cryptobyte.String
	if !s.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, errAt(0, "bad signature value")
	}
	si.Signature = sig
	var uattrs cryptobyte.String
	if !s.ReadOptionalASN1(&uattrs, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, errAt(0, "bad unsignedAttrs")
	}
	if present {
		attrs, err := parseAttributes(uattrs)
		if err != nil {
			return nil, err
		}
		si.UnsignedAttrs = attrs
	}
	if !s.Empty() {
		return nil, errAt(0, "trailing data inside SignerInfo")
	}
	return si, nil
}

func parseAttributes(s cryptobyte.String) ([]Attribute, error) {
	var out []Attribute
	for !s.Empty() {
		var a, set cryptobyte.String
		var at Attribute
		if !s.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&at.Type) || !a.ReadASN1(&set, cbasn1.SET) || !a.Empty() {
			return nil, errAt(0, "bad attribute")
		}
		for !set.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadAnyASN1Element(&v, &tag) {
				return nil, fmt.Errorf("cms: bad value of attribute %s", at.Type)
			}
			at.Values = append(at.Values, v)
		}
		out = append(out, at)
	}
	return out, nil
}
