package pefile

import (
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/testpki"
)

// Catalog object identifiers (wincrypt.h, mscat.h).
var (
	OIDCTL                = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 1}
	OIDCatalogList        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 1}
	OIDCatalogListMember  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 2}
	OIDCatalogListMember2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 3}
	OIDCatNameValue       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 2, 1}
	OIDCatMemberInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 2, 2}
)

// GUIDs of the subject interface packages makecat names in CAT_MEMBERINFO.
const (
	// GUIDPE is the PE image SIP.
	GUIDPE = "{C689AAB8-8E78-11D0-8C47-00C04FC295EE}"
	// GUIDFlat is the flat-file SIP, for files no other SIP knows.
	GUIDFlat = "{DE351A42-8E59-11D0-8C47-00C04FC295EE}"
)

// CatalogMember describes one member of a catalog to build with CTL.
type CatalogMember struct {
	// Tag is the member tag; empty means the digest in uppercase hex, as
	// makecat writes it.
	Tag string
	// Flat makes a flat-file member (SpcLink "file" type); otherwise the
	// digest is a PE image digest (SpcPeImageData).
	Flat bool
	// Hash and Digest are the member's digest (SHA-256 when Hash is zero).
	Hash   crypto.Hash
	Digest []byte
	// Name, when set, adds the "File" name-value attribute.
	Name string
	// Raw, when set, replaces the whole TrustedSubject encoding.
	Raw []byte
}

// CTL returns the DER of a catalog's certificate trust list with the given
// members, as makecat writes a version-2 catalog.
func CTL(at time.Time, members ...CatalogMember) []byte {
	return CTLWithExtensions(at, nil, members...)
}

// CTLWithExtensions is [CTL] with ctlExtensions: ext, when not nil, is the
// DER of the Extensions SEQUENCE (catalog-level attributes).
func CTLWithExtensions(at time.Time, ext []byte, members ...CatalogMember) []byte {
	var subjects [][]byte
	for _, m := range members {
		if m.Raw != nil {
			subjects = append(subjects, m.Raw)
			continue
		}
		subjects = append(subjects, CatalogSubject(m))
	}
	return testpki.TLV(0x30,
		testpki.TLV(0x30, mustMarshal(OIDCatalogList)),
		testpki.TLV(0x04, []byte("0123456789abcdef")),
		mustMarshal(at.UTC()),
		testpki.TLV(0x30, mustMarshal(OIDCatalogListMember2), []byte{0x05, 0x00}),
		testpki.TLV(0x30, subjects...),
		optionalExplicit(0xa0, ext),
	)
}

func optionalExplicit(tag byte, b []byte) []byte {
	if b == nil {
		return nil
	}
	return testpki.TLV(tag, b)
}

// CatalogSubject encodes one TrustedSubject.
func CatalogSubject(m CatalogMember) []byte {
	h := m.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	tag := m.Tag
	if tag == "" {
		tag = strings.ToUpper(hex.EncodeToString(m.Digest))
	}
	var spc []byte
	guid := GUIDPE
	if m.Flat {
		guid = GUIDFlat
		link := testpki.TLV(0xa2, testpki.TLV(0x80, bmp("<<<Obsolete>>>")))
		spc = testpki.TLV(0x30,
			testpki.TLV(0x30, mustMarshal(OIDSpcCabData), link),
			testpki.TLV(0x30, testpki.TLV(0x30, mustMarshal(testpki.HashOID(h)), []byte{0x05, 0x00}), testpki.TLV(0x04, m.Digest)))
	} else {
		spc = IndirectData(h, m.Digest, testpki.TLV(0xa2, testpki.TLV(0x80, bmp("<<<Obsolete>>>"))))
	}
	attrs := [][]byte{
		catAttr(OIDSpcIndirectData, spc),
		catAttr(OIDCatMemberInfo, testpki.TLV(0x30, testpki.TLV(0x1e, bmp(guid)), []byte{0x02, 0x02, 0x02, 0x00})),
	}
	if m.Name != "" {
		attrs = append(attrs, catAttr(OIDCatNameValue, testpki.TLV(0x30,
			testpki.TLV(0x1e, bmp("File")), []byte{0x02, 0x04, 0x10, 0x01, 0x00, 0x01}, testpki.TLV(0x04, utf16z(m.Name)))))
	}
	return testpki.TLV(0x30, testpki.TLV(0x04, utf16z(tag)), testpki.TLV(0x31, attrs...))
}

func catAttr(oid asn1.ObjectIdentifier, value []byte) []byte {
	return testpki.TLV(0x30, mustMarshal(oid), testpki.TLV(0x31, value))
}

// utf16z encodes s as NUL-terminated UTF-16LE.
func utf16z(s string) []byte {
	var out []byte
	for _, r := range utf16.Encode([]rune(s)) {
		out = append(out, byte(r), byte(r>>8))
	}
	return append(out, 0, 0)
}

// SignCatalog returns a signed catalog (a PKCS#7 ContentInfo, DER) over the
// certificate trust list ctl, signed as s describes; digest-related fields
// of s are ignored.
func SignCatalog(ctl []byte, s SignSpec) ([]byte, error) {
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	return signContentType(OIDCTL, ctl, h, s)
}
