package blocklist

import (
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackOnelineSlashInValue checks that a subject entry copied from
// OpenSSL's one-line form ("/C=DK/O=Evil A/S/CN=Evil A/S", as openssl x509
// -subject printed it before 1.1 and -nameopt compat still does) names a
// certificate whose values hold a slash. OpenSSL does not escape it, and
// the entry was split at every slash: "S" was dropped as a piece without a
// type, the entry named "CN=Evil A,O=Evil A", and the Danish company it
// lists signed unblocked.
func TestAttackOnelineSlashInValue(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Oneline Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Evil A/S", Organization: "Evil A/S", OrganizationalUnit: "Sales/Marketing", KeyN: 1})
	id := signing.NewIdentity(leaf.Cert)
	decoy := root.Issue(testpki.Spec{CommonName: "Evil A", Organization: "Evil A", OrganizationalUnit: "Sales", KeyN: 1})
	for _, v := range []string{
		"/O=Evil A/S/OU=Sales/Marketing/CN=Evil A/S",
		"/O=Evil A/S/organizationalUnitName=Sales/Marketing/2.5.4.3=Evil A/S",
		id.Subject,
	} {
		l := New()
		if err := l.Add(Entry{Kind: KindSubject, Value: v, Issuer: "/CN=Oneline Root"}); err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
			t.Errorf("entry %q: %d hits for subject %q, want 1", v, len(hits), id.Subject)
		}
		if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(decoy.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
			t.Errorf("entry %q matched the other subject %q", v, signing.NewIdentity(decoy.Cert).Subject)
		}
	}
}

// TestAttackUnescapedCommaInValue checks that a subject entry written by
// hand with a comma inside a value ("CN=Evil, Inc.,O=Evil, Inc.") names the
// certificate whose values hold the comma: " Inc." was dropped as a piece
// without a type, so the entry named "CN=Evil,O=Evil" instead.
func TestAttackUnescapedCommaInValue(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Comma Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Evil, Inc.", Organization: "Evil, Inc.", KeyN: 1})
	id := signing.NewIdentity(leaf.Cert)
	decoy := signing.NewIdentity(root.Issue(testpki.Spec{CommonName: "Evil", Organization: "Evil", KeyN: 1}).Cert)
	for _, v := range []string{"CN=Evil, Inc.,O=Evil, Inc.", "CN=Evil, Inc.; O=Evil, Inc.", id.Subject, `CN="Evil, Inc.", O="Evil, Inc."`} {
		l := New()
		if err := l.Add(Entry{Kind: KindSubject, Value: v, Issuer: "CN=Comma Root"}); err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
			t.Errorf("entry %q: %d hits for subject %q, want 1", v, len(hits), id.Subject)
		}
		if hits := l.MatchChain([]signing.Identity{decoy}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
			t.Errorf("entry %q matched the other subject %q", v, decoy.Subject)
		}
	}
}
