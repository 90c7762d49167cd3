package signing

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Identity describes a certificate as users and blocklists name it.
type Identity struct {
	// Subject and Issuer are RFC 4514 strings as [FormatName] spells
	// them: pkix.Name.String's form, with UID and DC by name.
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// Serial is lowercase hex without colons or leading zeros ("0" for zero);
	// a negative serial keeps its minus sign.
	Serial string `json:"serial"`
	// SHA1 and SHA256 are the thumbprints of the DER certificate, lowercase hex.
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
	// SPKISHA256 is the SHA-256 of the DER SubjectPublicKeyInfo.
	SPKISHA256 string `json:"spkiSHA256,omitempty"`
	// TBS holds hashes of the DER TBSCertificate, the "TBS hash" that WDAC
	// policies, Microsoft CTLs and LOLDrivers use, by algorithm.
	TBS TBSHashes `json:"tbs"`
	// TeamID is the Apple Developer team identifier held in the subject OU of an
	// Apple-issued signing certificate, empty otherwise. "Apple-issued" is read
	// from the certificate's own extensions, so TeamID is only a claim: it
	// names a team only when the chain reaches an Apple root, which callers
	// check.
	TeamID string `json:"teamID,omitempty"`
	// AppleKind is the role Apple's markers give a signature's signer
	// ([ClassifyApple] of the leaf and its issuer in the chain as built),
	// set by the Apple verifiers on [Signature.Signer] and the chain's
	// leaf; empty for other certificates and verifiers. Like TeamID it is
	// a claim that holds as far as the chain is trusted.
	AppleKind AppleCertKind `json:"appleKind,omitempty"`
	// NotBefore and NotAfter bound the certificate's validity.
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// Certificate is the parsed certificate; it is not serialized.
	Certificate *x509.Certificate `json:"-"`
}

// TBSHashes are digests of a certificate's TBSCertificate, lowercase hex.
type TBSHashes struct {
	MD5    string `json:"md5,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	SHA384 string `json:"sha384,omitempty"`
}

// Apple's certificate marker OIDs; the team ID is the subject OU of an
// Apple-issued leaf.
var oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}

// NewIdentity describes cert. It never fails: every field is derived from the
// parsed certificate.
func NewIdentity(cert *x509.Certificate) Identity {
	return identities.describe(cert)
}

// newIdentity is NewIdentity, computed.
func newIdentity(cert *x509.Certificate) Identity {
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	spki := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	tm5 := md5.Sum(cert.RawTBSCertificate)
	t1 := sha1.Sum(cert.RawTBSCertificate)
	t256 := sha256.Sum256(cert.RawTBSCertificate)
	t384 := sha512.Sum384(cert.RawTBSCertificate)
	id := Identity{
		Subject:    FormatName(cert.Subject),
		Issuer:     FormatName(cert.Issuer),
		Serial:     SerialHex(cert),
		SHA1:       hex.EncodeToString(s1[:]),
		SHA256:     hex.EncodeToString(s256[:]),
		SPKISHA256: hex.EncodeToString(spki[:]),
		TBS: TBSHashes{
			MD5:    hex.EncodeToString(tm5[:]),
			SHA1:   hex.EncodeToString(t1[:]),
			SHA256: hex.EncodeToString(t256[:]),
			SHA384: hex.EncodeToString(t384[:]),
		},
		NotBefore:   cert.NotBefore.UTC(),
		NotAfter:    cert.NotAfter.UTC(),
		Certificate: cert,
	}
	if isAppleIssued(cert) {
		id.TeamID = subjectOU(cert)
	}
	return id
}

// SerialHex returns cert's serial number as lowercase hex without leading zeros.
func SerialHex(cert *x509.Certificate) string {
	if cert.SerialNumber == nil {
		return ""
	}
	return cert.SerialNumber.Text(16)
}

// NormalizeSerial turns a serial written as hex (with or without colons, spaces,
// a 0x prefix or leading zeros, any case) into the form of [Identity.Serial].
// It reports false when s is not hex.
func NormalizeSerial(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.NewReplacer(":", "", " ", "", "-", "").Replace(s)
	if s == "" {
		return "", false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return "", false
		}
	}
	s = strings.TrimLeft(strings.ToLower(s), "0")
	if s == "" {
		s = "0"
	}
	return s, true
}

// subjectOU returns the OU of cert's subject as Apple reads it
// ([SubjectAttribute]).
func subjectOU(cert *x509.Certificate) string {
	s, _ := SubjectAttribute(cert, oidOrganizationalUnit)
	return s
}

// SubjectAttribute returns the value of the subject attribute of type id
// as Apple's Security framework reads it (SecCertificateCopySubjectAttributeValue,
// which codesign's team ID, csreq's certificate leaf[subject.OU] and the
// other subject.* fields use): the LAST attribute of that type in the
// name's DER order. It reports false when there is none or when that last
// value is not a string. A subject with two OUs names the team of its
// last one to macOS, so a reader taking the first would see another team.
func SubjectAttribute(cert *x509.Certificate, id asn1.ObjectIdentifier) (string, bool) {
	var val any
	found := false
	for _, atv := range cert.Subject.Names {
		if atv.Type.Equal(id) {
			val, found = atv.Value, true
		}
	}
	if !found {
		return "", false
	}
	s, ok := val.(string)
	return s, ok
}

// isAppleIssued reports whether cert carries one of Apple's certificate
// extension OIDs (1.2.840.113635.100.6.*), which Apple puts on the leaves it
// issues for code signing; only then does the subject OU hold a team ID.
func isAppleIssued(cert *x509.Certificate) bool {
	for _, ext := range cert.Extensions {
		if hasPrefix(ext.Id, oidAppleCertExtension) {
			return true
		}
	}
	return false
}

var oidAppleCertExtension = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	if len(oid) < len(prefix) {
		return false
	}
	return asn1.ObjectIdentifier(oid[:len(prefix)]).Equal(prefix)
}

func quote(s string) string { return strconv.Quote(s) }
