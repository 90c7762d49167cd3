package machofile

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// Apple OIDs used by Developer ID signatures.
var (
	OIDCDHashesPlist          = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 1}
	OIDCDHashes               = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 2}
	OIDDeveloperIDApplication = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	OIDDeveloperIDCA          = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
	oidTimeStampToken         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// DeveloperIDLeafExtensions are the extensions of a Developer ID
// Application leaf, for testpki.Spec.ExtraExtensions.
func DeveloperIDLeafExtensions() []pkix.Extension {
	return []pkix.Extension{{Id: OIDDeveloperIDApplication, Critical: true, Value: []byte{0x05, 0x00}}}
}

// DeveloperIDCAExtensions are the extensions of the Developer ID
// Certification Authority.
func DeveloperIDCAExtensions() []pkix.Extension {
	return []pkix.Extension{{Id: OIDDeveloperIDCA, Critical: true, Value: []byte{0x05, 0x00}}}
}

// Signer makes Apple-style detached CMS signatures over a CodeDirectory, as
// codesign and rcodesign write them: messageDigest over the primary
// CodeDirectory, the cdhashes plist (1.2.840.113635.100.9.1) and digest list
// (1.2.840.113635.100.9.2) attributes, and an optional RFC 3161 timestamp.
type Signer struct {
	// Leaf signs; Chain is embedded after it (intermediates, maybe the root).
	Leaf  *testpki.Cert
	Chain []*testpki.Cert
	// Hash is the CMS digest algorithm; zero means SHA-256.
	Hash crypto.Hash
	// SigningTime adds a signingTime attribute when not zero.
	SigningTime time.Time
	// TSA, when set, adds a timestamp token at TimestampAt.
	TSA         *testpki.Cert
	TSAChain    []*testpki.Cert
	TimestampAt time.Time
	// OmitCDHashes leaves out both cdhashes attributes (older signatures).
	OmitCDHashes bool
	// MessageDigest overrides the messageDigest value (for bad fixtures).
	MessageDigest []byte
	// Tweak, when not nil, edits the CMS spec before signing (to add
	// unsigned structures such as crls, extra certificate entries or
	// unsigned attributes).
	Tweak func(*testpki.CMSSpec)
}

// CMS signs cds as a CMSFunc.
func (s Signer) CMS(cds []CD) ([]byte, error) {
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	var extra []testpki.Attr
	if !s.OmitCDHashes {
		var hashes [][]byte
		for _, c := range cds {
			hashes = append(hashes, c.CDHash())
		}
		pl, err := plist.MarshalIndent(map[string]any{"cdhashes": hashes}, plist.XMLFormat, "\t")
		if err != nil {
			return nil, err
		}
		pl = append(pl, '\n')
		v, err := asn1.Marshal(pl)
		if err != nil {
			return nil, err
		}
		extra = append(extra, testpki.Attr{Type: OIDCDHashesPlist, Values: [][]byte{v}})
		var list [][]byte
		for _, c := range cds {
			e, err := asn1.Marshal(struct {
				Alg    asn1.ObjectIdentifier
				Digest []byte
			}{cms.OIDForHash(c.Hash()), c.Digest})
			if err != nil {
				return nil, err
			}
			list = append(list, e)
		}
		extra = append(extra, testpki.Attr{Type: OIDCDHashes, Values: list})
	}
	spec := testpki.CMSSpec{
		Content: cds[0].Blob, ContentIsOctetString: true, Detached: true,
		Signer: s.Leaf, Certs: append([]*testpki.Cert{s.Leaf}, s.Chain...),
		Hash: h, SigningTime: s.SigningTime, ExtraSigned: extra, MessageDigest: s.MessageDigest,
	}
	if s.Tweak != nil {
		s.Tweak(&spec)
	}
	der := testpki.SignCMS(spec)
	if s.TSA == nil {
		return der, nil
	}
	sd, err := cms.Parse(der)
	if err != nil || len(sd.Signers) != 1 {
		return nil, fmt.Errorf("machofile: reparsing own CMS: %v", err)
	}
	tok := s.TSA.TimestampToken(crypto.SHA256, sd.Signers[0].Signature, s.TimestampAt, s.TSAChain...)
	spec.Unsigned = append([]testpki.Attr{{Type: oidTimeStampToken, Values: [][]byte{tok}}}, spec.Unsigned...)
	return testpki.SignCMS(spec), nil
}
