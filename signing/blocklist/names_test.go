package blocklist

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// utf8Name encodes CN=cn as a UTF8String, where crypto/x509 writes a
// PrintableString.
func utf8Name(t testing.TB, cn string) []byte {
	t.Helper()
	der, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(cn)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestIssuerSerialNamesCompareAsRFC5280 checks that an issuer-serial
// entry's DER issuer and a CRL's issuer name compare with a certificate's
// issuer as RFC 5280 §7.1 names, not byte for byte: a UTF8String, another
// case or extra spaces still name a PrintableString issuer.
func TestIssuerSerialNamesCompareAsRFC5280(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Revoked Signer", big.NewInt(0x5151))
	leaf := signing.NewIdentity(pki.leaf.Cert)
	if pki.leaf.Cert.RawIssuer[len(pki.leaf.Cert.RawIssuer)-len("Blocklist Test Root")-2] != asn1.TagPrintableString {
		t.Fatal("fixture issuer is not a PrintableString")
	}
	cases := []struct {
		name   string
		issuer []byte
		text   string // Entry.Issuer
		want   bool
	}{
		{"same-bytes", pki.leaf.Cert.RawIssuer, "", true},
		{"utf8-string", utf8Name(t, "Blocklist Test Root"), "", true},
		{"case-and-spaces", utf8Name(t, " blocklist  TEST root"), "", true},
		{"other-name", utf8Name(t, "Blocklist Test Root 2"), "", false},
		{"other-name-with-text", utf8Name(t, "Blocklist Test Root 2"), "CN=Blocklist Test Root", false},
		// A DER name that does not parse leaves the decision to the text.
		{"malformed-der-text-matches", []byte{0x30, 0x03, 0x31, 0x01, 0x00}, "CN=blocklist test root", true},
		{"malformed-der-no-text", []byte{0x30, 0x03, 0x31, 0x01, 0x00}, "", false},
		{"text-only-spaces", nil, "CN=Blocklist   Test Root", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			if err := l.Add(Entry{Kind: KindIssuerSerial, Value: leaf.Serial, IssuerDER: tc.issuer, Issuer: tc.text}); err != nil {
				t.Fatal(err)
			}
			hits := l.MatchChain([]signing.Identity{leaf}, testpki.Epoch, false, PolicyAny)
			if got := len(hits) == 1; got != tc.want {
				t.Errorf("matched %t, want %t", got, tc.want)
			}
		})
	}

	// A CRL whose issuer is written as a UTF8String loads with the
	// PrintableString-named issuer certificate and names its certificates.
	iss := *pki.root.Cert
	iss.RawSubject = utf8Name(t, "Blocklist Test Root")
	revokedAt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	der, err := x509.CreateRevocationList(testpki.NewRand(9), &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: revokedAt, NextUpdate: revokedAt.AddDate(1, 0, 0),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: pki.leaf.Cert.SerialNumber, RevocationTime: revokedAt}},
	}, &iss, pki.root.Key)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil || bytes.Equal(rl.RawIssuer, pki.root.Cert.RawSubject) {
		t.Fatalf("fixture CRL issuer is not re-encoded: %v", err)
	}
	l, err := Parse(bytes.NewReader(der), "utf8.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: revokedAt})
	if err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{leaf}, revokedAt.AddDate(0, 0, 1), true, PolicyWindows); len(hits) != 1 {
		t.Errorf("CRL with a UTF8String issuer: hits %v, want 1", hits)
	}
}

// TestSubjectEntriesFoldNames checks that subject entries given as strings
// match regardless of case, inner spaces and RDN order.
func TestSubjectEntriesFoldNames(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Example  Signer Ltd", big.NewInt(0x5252))
	leaf := signing.NewIdentity(pki.leaf.Cert)
	for _, e := range []Entry{
		{Kind: KindSubject, Value: "o=EXAMPLE SIGNER LTD, cn=example signer  ltd", Issuer: "CN=blocklist  test root"},
		{Kind: KindSubject, Value: "Example Signer LTD", Issuer: "blocklist test ROOT"},
	} {
		l := New()
		if err := l.Add(e); err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain([]signing.Identity{leaf}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
			t.Errorf("entry %q issued by %q: hits %v, want 1 (leaf %q issued by %q)", e.Value, e.Issuer, hits, leaf.Subject, leaf.Issuer)
		}
	}
}
