package blocklist

import (
	"math/big"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackIssuerTextEscapes checks that an issuer or subject given as
// text names a certificate whatever way the text writes a comma in a value.
// Most code-signing certificates today are issued by a CA whose
// organization is "DigiCert, Inc." (3CX's among them): the report prints it
// "O=DigiCert\, Inc.", OpenSSL's one-line form "/O=DigiCert, Inc.", RFC 4514
// also allows "O=DigiCert\2C Inc." and RFC 2253 'O="DigiCert, Inc."'. The
// values were compared with their escapes, so every form but the report's
// missed the certificate and the blocklist entry blocked nothing.
func TestAttackIssuerTextEscapes(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Comma Root", Organization: "Comma, Inc.", NotBefore: pkiFrom, NotAfter: pkiTo})
	leaf := root.Issue(testpki.Spec{CommonName: "Acme, Ltd.", Organization: "Acme+Co", Serial: big.NewInt(0x3c3c), NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 1})
	id := signing.NewIdentity(leaf.Cert)
	if id.Issuer != `CN=Comma Root,O=Comma\, Inc.` {
		t.Fatalf("fixture issuer prints %q", id.Issuer)
	}
	for _, tc := range []struct {
		name  string
		entry Entry
	}{
		{"report form", Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: `CN=Comma Root,O=Comma\, Inc.`}},
		{"openssl one-line", Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: "/O=Comma, Inc./CN=Comma Root"}},
		{"hex escape", Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: `CN=Comma Root, O=Comma\2C Inc.`}},
		{"quoted", Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: `CN=Comma Root, O="Comma, Inc."`}},
		{"subject openssl", Entry{Kind: KindSubject, Value: "/O=Acme+Co/CN=Acme, Ltd.", Issuer: "/O=Comma, Inc./CN=Comma Root"}},
		{"subject quoted", Entry{Kind: KindSubject, Value: `CN="Acme, Ltd.",O="Acme+Co"`, Issuer: "Comma Root"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			if err := l.Add(tc.entry); err != nil {
				t.Fatal(err)
			}
			if hits := l.MatchChain([]signing.Identity{id, signing.NewIdentity(root.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
				t.Errorf("entry %s does not match the certificate (issuer %q, subject %q)", tc.entry.String(), id.Issuer, id.Subject)
			}
		})
	}
	// Another organization still does not match.
	l := New()
	if err := l.Add(Entry{Kind: KindIssuerSerial, Value: "3c3c", Issuer: "/O=Comma Inc./CN=Comma Root"}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("another issuer matched: %v", hits)
	}
}
