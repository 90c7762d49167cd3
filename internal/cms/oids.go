package cms

import (
	"crypto"
	"encoding/asn1"
)

// Object identifiers used by CMS and the code-signing formats built on it.
var (
	OIDData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrCounterSign   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
	// OIDAttrTimeStampToken is id-aa-timeStampToken (RFC 3161 appendix A), the
	// unsigned attribute Apple's code signatures carry their timestamp in.
	OIDAttrTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// OIDAttrSigningCertificate and V2 are ESS signing-certificate attributes.
	OIDAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	// OIDMSRFC3161Timestamp is Microsoft's szOID_RFC3161_counterSign, the
	// unsigned attribute Authenticode carries an RFC 3161 token in.
	OIDMSRFC3161Timestamp = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}

	oidMD5    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidRSA          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidMD5WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}
	oidSHA1WithRSA  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidRSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256WithRS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224WithRS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECPublicKey  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSASHA1    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSASHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519      = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidMGF1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

// HashByOID maps a digest algorithm identifier to its hash. Authenticode
// signers sometimes put a signature algorithm OID in the digest position; those
// map to their hash too.
func HashByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidMD5), oid.Equal(oidMD5WithRSA):
		return crypto.MD5, true
	case oid.Equal(oidSHA1), oid.Equal(oidSHA1WithRSA), oid.Equal(oidECDSASHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA224), oid.Equal(oidSHA224WithRS):
		return crypto.SHA224, true
	case oid.Equal(oidSHA256), oid.Equal(oidSHA256WithRS), oid.Equal(oidECDSASHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384), oid.Equal(oidSHA384WithRS), oid.Equal(oidECDSASHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512), oid.Equal(oidSHA512WithRS), oid.Equal(oidECDSASHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

// OIDForHash returns the digest algorithm identifier of h.
func OIDForHash(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.MD5:
		return oidMD5
	case crypto.SHA1:
		return oidSHA1
	case crypto.SHA224:
		return oidSHA224
	case crypto.SHA256:
		return oidSHA256
	case crypto.SHA384:
		return oidSHA384
	case crypto.SHA512:
		return oidSHA512
	}
	return nil
}

// HashName returns the lowercase report name of h: "md5", "sha1", "sha256"…
func HashName(h crypto.Hash) string {
	switch h {
	case crypto.MD5:
		return "md5"
	case crypto.SHA1:
		return "sha1"
	case crypto.SHA224:
		return "sha224"
	case crypto.SHA256:
		return "sha256"
	case crypto.SHA384:
		return "sha384"
	case crypto.SHA512:
		return "sha512"
	}
	return "unknown"
}

// Weak reports whether h is MD5 or SHA-1.
func Weak(h crypto.Hash) bool { return h == crypto.MD5 || h == crypto.SHA1 }

// oidNetscapeCertType is Netscape's certificate type extension
// (2.16.840.1.113730.1.1), which signing's chain check judges on every
// certificate of a chain.
var oidNetscapeCertType = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 1}
