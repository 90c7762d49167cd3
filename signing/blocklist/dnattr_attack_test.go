package blocklist

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSubjectAttributeNames checks that a subject or issuer written
// with attribute names the report prints as dotted OIDs still names the
// certificate. An EV code-signing leaf carries jurisdictionCountryName and
// businessCategory, which crypto/x509 does not name: the report spells them
// "1.3.6.1.4.1.311.60.2.1.3=#13024742" and "2.5.4.15=#13…", OpenSSL
// "jurisdictionC=GB" and "businessCategory=Private Organization", Windows
// "OID.1.3.6.1.4.1.311.60.2.1.3=GB" and emailAddress "E=". A subject entry
// copied from openssl x509 -subject or from certutil never matched an EV
// signer, so the entry blocked nothing.
func TestAttackSubjectAttributeNames(t *testing.T) {
	t.Parallel()
	oidJurC := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}
	oidBusiness := asn1.ObjectIdentifier{2, 5, 4, 15}
	oidEmail := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	subject := pkix.Name{CommonName: "Revoked EV Ltd", Organization: []string{"Revoked EV Ltd"}, Country: []string{"GB"}, SerialNumber: "07654321",
		Names: []pkix.AttributeTypeAndValue{{Type: oidJurC, Value: "GB"}, {Type: oidBusiness, Value: "Private Organization"}}}
	issuer := pkix.Name{CommonName: "EV CA", Names: []pkix.AttributeTypeAndValue{{Type: oidEmail, Value: "ca@example.test"}}}
	id := signing.Identity{Subject: signing.FormatName(subject), Issuer: signing.FormatName(issuer), Serial: "3c3c"}
	for _, tc := range []struct {
		name  string
		entry Entry
	}{
		{"report form", Entry{Kind: KindSubject, Value: id.Subject, Issuer: id.Issuer}},
		{"openssl", Entry{Kind: KindSubject, Value: "/jurisdictionC=GB/businessCategory=Private Organization/serialNumber=07654321/C=GB/O=Revoked EV Ltd/CN=Revoked EV Ltd",
			Issuer: "/emailAddress=ca@example.test/CN=EV CA"}},
		{"windows", Entry{Kind: KindSubject, Value: "CN=Revoked EV Ltd, O=Revoked EV Ltd, C=GB, SERIALNUMBER=07654321, OID.2.5.4.15=Private Organization, OID.1.3.6.1.4.1.311.60.2.1.3=GB",
			Issuer: "CN=EV CA, E=ca@example.test"}},
		{"issuer-serial openssl", Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: "/emailAddress=ca@example.test/CN=EV CA"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			if err := l.Add(tc.entry); err != nil {
				t.Fatal(err)
			}
			if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
				t.Errorf("entry %s does not match subject %q issuer %q", tc.entry.String(), id.Subject, id.Issuer)
			}
		})
	}
	// Another business category is another subject.
	l := New()
	if err := l.Add(Entry{Kind: KindSubject, Value: "/jurisdictionC=US/businessCategory=Private Organization/serialNumber=07654321/C=GB/O=Revoked EV Ltd/CN=Revoked EV Ltd", Issuer: "EV CA"}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("another jurisdiction matched: %v", hits)
	}
}
