package cms

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestIssuerNamesCompareAsRFC5280 checks that a signer identifier and an
// ESS IssuerSerial name a certificate whose issuer is a PrintableString
// when they write the same name as a UTF8String, in another case or with
// extra spaces, and do not when the name differs.
func TestIssuerNamesCompareAsRFC5280(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "CMS Name Root", KeyN: 0})
	leaf := root.Issue(testpki.Spec{CommonName: "CMS Name Signer", KeyN: 1})
	name := func(cn string) []byte {
		der, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(cn)}}}})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, tc := range []struct {
		name   string
		issuer []byte
		want   bool
	}{
		{"same-bytes", leaf.Cert.RawIssuer, true},
		{"utf8-string", name("CMS Name Root"), true},
		{"case-and-spaces", name("cms  NAME root "), true},
		{"other-name", name("CMS Name Root 2"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			si := &SignerInfo{Serial: leaf.Cert.SerialNumber, IssuerRaw: tc.issuer}
			if got := FindCertificate(si, []*x509.Certificate{root.Cert, leaf.Cert}) == leaf.Cert; got != tc.want {
				t.Errorf("signer identifier names the leaf: %t, want %t", got, tc.want)
			}
			// IssuerSerial ::= SEQUENCE { GeneralNames, serial }, the
			// directoryName [4] explicitly tagged.
			serial, _ := asn1.Marshal(leaf.Cert.SerialNumber)
			dn := append([]byte{0xa4, byte(len(tc.issuer))}, tc.issuer...)
			gns := append([]byte{0x30, byte(len(dn))}, dn...)
			body := append(gns, serial...)
			is := append([]byte{0x30, byte(len(body))}, body...)
			if got := issuerSerialMatches(is, leaf.Cert); got != tc.want {
				t.Errorf("ESS IssuerSerial names the leaf: %t, want %t", got, tc.want)
			}
		})
	}
}
