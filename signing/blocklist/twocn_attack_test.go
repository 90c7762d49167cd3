package blocklist

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackTwoCommonNames checks that a certificate whose subject (or
// issuer) carries two CNs, one benign and one blocklisted, is blocked by
// an entry naming either, in either order. The subject lookup took
// crypto/x509's CommonName (the last CN) for a certificate and the first
// CN of the subject string otherwise, and the issuer lookup the last: a
// CA could add "CN=Benign" after the revoked name and the entry no longer
// matched. Any CN now names the certificate for blocking.
func TestAttackTwoCommonNames(t *testing.T) {
	oidCN := asn1.ObjectIdentifier{2, 5, 4, 3}
	cns := func(a, b string) []pkix.AttributeTypeAndValue {
		return []pkix.AttributeTypeAndValue{{Type: oidCN, Value: a}, {Type: oidCN, Value: b}}
	}
	for _, order := range [][2]string{{"Benign Signer", "Revoked Signer"}, {"Revoked Signer", "Benign Signer"}} {
		root := testpki.NewRoot(testpki.Spec{ExtraNames: cns("Benign Root", "Revoked Root")})
		leaf := root.Issue(testpki.Spec{KeyN: 1, Serial: big.NewInt(0x7777), ExtraNames: cns(order[0], order[1])})
		withCert := signing.NewIdentity(leaf.Cert)
		textOnly := withCert
		textOnly.Certificate = nil
		for _, id := range []signing.Identity{withCert, textOnly} {
			for _, tc := range []struct {
				name  string
				entry Entry
				want  bool
			}{
				{"subject-cn", Entry{Kind: KindSubject, Value: "revoked signer", Issuer: "Revoked Root"}, true},
				{"subject-cn-other-issuer-cn", Entry{Kind: KindSubject, Value: "Revoked Signer", Issuer: "Benign Root"}, true},
				{"issuer-serial-issuer-cn", Entry{Kind: KindIssuerSerial, Value: "7777", Issuer: "Revoked Root"}, true},
				{"subject-cn-absent", Entry{Kind: KindSubject, Value: "Other Signer", Issuer: "Revoked Root"}, false},
				{"issuer-cn-absent", Entry{Kind: KindIssuerSerial, Value: "7777", Issuer: "Other Root"}, false},
			} {
				l := New()
				if err := l.Add(tc.entry); err != nil {
					t.Fatal(err)
				}
				hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny)
				if got := len(hits) == 1; got != tc.want {
					t.Errorf("%s, subject %q, certificate %v: %d hits, want match %v", tc.name, id.Subject, id.Certificate != nil, len(hits), tc.want)
				}
			}
		}
	}
	// Two CNs that fold alike find an entry once.
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root"})
	leaf := root.Issue(testpki.Spec{KeyN: 1, ExtraNames: cns("Revoked Signer", "REVOKED  signer")})
	l := New()
	if err := l.Add(Entry{Kind: KindSubject, Value: "Revoked Signer", Issuer: "Root"}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(leaf.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
		t.Errorf("%d hits for two CNs that fold alike, want 1", len(hits))
	}
}
