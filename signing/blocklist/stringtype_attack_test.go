package blocklist

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"testing"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// Universal tags of the directory string types.
const (
	tagTeletex   = 20
	tagVisible   = 26
	tagUniversal = 28
)

// encodeString returns s as the contents of a string of the given
// universal tag: ISO 8859-1 bytes for TeletexString, UCS-2 for BMPString,
// UCS-4 for UniversalString, else the UTF-8 bytes.
func encodeString(tag int, s string) []byte {
	switch tag {
	case tagTeletex:
		var b []byte
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b
	case asn1.TagBMPString:
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = binary.BigEndian.AppendUint16(b, u)
		}
		return b
	case tagUniversal:
		var b []byte
		for _, r := range s {
			b = binary.BigEndian.AppendUint32(b, uint32(r))
		}
		return b
	}
	return []byte(s)
}

// TestAttackLegacyStringTypes checks that a subject entry whose value is
// written as the hex of its DER ("O=#14…", how OpenSSL's dump options and
// pkix print a value) names the certificate whatever directory string type
// encodes it. The blocklist decoded these values itself and read a
// TeletexString as UTF-8 (so "Société" in ISO 8859-1 did not decode and
// compared as its hex), and did not know UniversalString at all, while
// names compared as x509name decodes them: such an entry blocked nothing.
// Both now decode with x509name.DecodeString. The certificate side is
// minted with its organization in each type crypto/x509 parses.
func TestAttackLegacyStringTypes(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "String Type Root"})
	const org = "Société Évil Ltd"
	oidO := asn1.ObjectIdentifier{2, 5, 4, 10}
	types := []struct {
		name string
		tag  int
		text string
		cert bool // crypto/x509 parses a certificate with it
	}{
		{"utf8", asn1.TagUTF8String, org, true},
		{"printable", asn1.TagPrintableString, "Evil Ltd", true},
		{"ia5", asn1.TagIA5String, "Evil Ltd", true},
		{"visible", tagVisible, "Evil Ltd", false},
		{"teletex", tagTeletex, org, true},
		{"bmp", asn1.TagBMPString, org, true},
		{"universal", tagUniversal, org, false},
	}
	for _, ty := range types {
		t.Run(ty.name, func(t *testing.T) {
			der, err := asn1.Marshal(asn1.RawValue{Tag: ty.tag, Bytes: encodeString(ty.tag, ty.text)})
			if err != nil {
				t.Fatal(err)
			}
			hexEntry := "CN=Evil Signer,O=#" + hex.EncodeToString(der)
			textEntry := "CN=Evil Signer,O=" + ty.text
			// The identity as a report that prints the organization as text.
			plain := signing.Identity{Subject: signing.FormatName(pkix.Name{CommonName: "Evil Signer", Organization: []string{ty.text}}), Issuer: "CN=String Type Root"}
			ids := []signing.Identity{plain}
			if ty.cert {
				leaf := root.Issue(testpki.Spec{CommonName: "Evil Signer", KeyN: 1,
					ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidO, Value: asn1.RawValue{Tag: ty.tag, Bytes: encodeString(ty.tag, ty.text)}}}})
				ids = append(ids, signing.NewIdentity(leaf.Cert))
			}
			for _, v := range []string{hexEntry, textEntry} {
				for k, id := range ids {
					l := New()
					if err := l.Add(Entry{Kind: KindSubject, Value: v, Issuer: "String Type Root"}); err != nil {
						t.Fatal(err)
					}
					if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
						t.Errorf("entry %q does not match identity %d (subject %q)", v, k, id.Subject)
					}
				}
			}
			// Another organization in the same type is another subject.
			other, _ := asn1.Marshal(asn1.RawValue{Tag: ty.tag, Bytes: encodeString(ty.tag, ty.text+" 2")})
			l := New()
			if err := l.Add(Entry{Kind: KindSubject, Value: "CN=Evil Signer,O=#" + hex.EncodeToString(other), Issuer: "String Type Root"}); err != nil {
				t.Fatal(err)
			}
			if hits := l.MatchChain(ids, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
				t.Errorf("another organization matched: %v", hits)
			}
		})
	}
}
