package cms

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// attrCert is an attribute certificate found in a SignedData's certificate
// set (CertificateChoices [1] v1AttrCert or [2] v2AttrCert, RFC 5652 §10.2.2).
// Microsoft's time-stamping service puts one in every RFC 3161 token it
// issues. Its bytes are owned when a certificate on a verified chain signed
// it, or tolerated as described at MaxToleratedAttrCert; see
// [SignedData.UnusedCertificates].
type attrCert struct {
	off, n int
	tbs    []byte // AttributeCertificateInfo, as signed
	alg    x509.SignatureAlgorithm
	sig    []byte
	issuer []byte // the issuer's directoryName (DER Name), nil when absent
}

// MaxToleratedAttrCert is the largest attribute certificate that is
// tolerated, without a verified signature, when it names a certificate of a
// verified chain as its issuer. Microsoft's time-stamping service embeds an
// nCipher time-stamp server attribute certificate (about 860 bytes) in its
// RFC 3161 tokens whose signature no certificate in the file verifies; a
// gate cannot call every Microsoft-timestamped file tampered, so such an
// entry is attributed to that named structure, within this bound, once per
// SignedData whose set holds a time-stamp server's certificates (a token, or
// a signature with a legacy countersignature; a second one is reported: no
// token carries two). Elsewhere, as in a signature's own SignedData beside
// an RFC 3161 token, anyone could add one to a signed file unreported.
// A tolerated one is still returned, as a Note region: no signature
// covers it, not even the token's, whose certificate set is outside its
// signed content.
const MaxToleratedAttrCert = 1024

// attrCertAlgs maps the signature algorithms attribute certificates use to
// crypto/x509's names; parameters must be NULL or absent (RSA-PSS, whose
// parameters matter, is not accepted and leaves the entry unowned).
var attrCertAlgs = []struct {
	oid asn1.ObjectIdentifier
	alg x509.SignatureAlgorithm
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, x509.SHA1WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, x509.SHA384WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, x509.SHA512WithRSA},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, x509.ECDSAWithSHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512},
}

// parseAttrCert reads the signed envelope of an attribute certificate
// (SEQUENCE { acinfo SEQUENCE, signatureAlgorithm, signatureValue BIT
// STRING }, implicitly tagged [1] or [2]); the contents of acinfo are not
// interpreted, since the signature over them is what makes them owned.
func parseAttrCert(elem []byte, off int) (attrCert, error) {
	s := cryptobyte.String(elem)
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&body, &tag) || !s.Empty() {
		return attrCert{}, errors.New("bad attribute certificate")
	}
	if tag != cbasn1.Tag(1).Constructed().ContextSpecific() && tag != cbasn1.Tag(2).Constructed().ContextSpecific() {
		return attrCert{}, fmt.Errorf("certificate choice [%d] is not an attribute certificate", int(tag&0x1f))
	}
	var tbs, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var sig asn1.BitString
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return attrCert{}, errors.New("bad attribute certificate envelope")
	}
	if !alg.Empty() && !(len(alg) == 2 && alg[0] == 5 && alg[1] == 0) {
		return attrCert{}, errors.New("attribute certificate signature algorithm has parameters")
	}
	if !body.ReadASN1BitString(&sig) || !body.Empty() || sig.BitLength%8 != 0 {
		return attrCert{}, errors.New("bad attribute certificate signature")
	}
	for _, a := range attrCertAlgs {
		if a.oid.Equal(oid) {
			return attrCert{off: off, n: len(elem), tbs: tbs, alg: a.alg, sig: sig.Bytes, issuer: attrCertIssuer(tbs)}, nil
		}
	}
	return attrCert{}, fmt.Errorf("attribute certificate signature algorithm %s is not supported", oid)
}

// attrCertIssuer returns the directoryName of an AttributeCertificateInfo's
// issuer (RFC 5755 §4.1: version, holder, then v2Form [0] whose issuerName
// GeneralNames holds a [4] directoryName), or nil.
func attrCertIssuer(tbs []byte) []byte {
	s := cryptobyte.String(tbs)
	var info, holder, v2, names, dn, name cryptobyte.String
	if !s.ReadASN1(&info, cbasn1.SEQUENCE) {
		return nil
	}
	if info.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !info.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
			return nil
		}
	}
	if !info.ReadASN1(&holder, cbasn1.SEQUENCE) ||
		!info.ReadASN1(&v2, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!v2.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!names.ReadASN1(&dn, cbasn1.Tag(4).Constructed().ContextSpecific()) ||
		!dn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !dn.Empty() {
		return nil
	}
	return name
}

// signedBy checks ac's signature with parent's key (SHA-1 included, as for
// certificates: see the package-level signedBy).
func (ac attrCert) signedBy(parent *x509.Certificate) bool {
	return signedBy(&x509.Certificate{SignatureAlgorithm: ac.alg, RawTBSCertificate: ac.tbs, Signature: ac.sig}, parent) == nil
}
