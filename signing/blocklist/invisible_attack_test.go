package blocklist

import (
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackInvisibleCharactersInName checks that a leaf whose CN hides an
// invisible character in a blocklisted name is still blocked by the name
// written plainly. RFC 4518 §2.2 maps to nothing every control and format
// character (bidi marks and overrides, tag characters, invisible
// operators), variation selectors and U+FFFC; x509name.Fold mapped only a
// few of them, so "Revoked Sig<U+200E>ner", which displays as "Revoked
// Signer", was another name to the blocklist. The same holds of a subject
// DN entry.
func TestAttackInvisibleCharactersInName(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Invisible Root"})
	for _, cn := range []string{
		"Revoked Sig\u200ener",       // LEFT-TO-RIGHT MARK
		"Revoked Sig\u200fner",       // RIGHT-TO-LEFT MARK
		"Revoked \u202aSigner\u202c", // LRE … PDF
		"Revoked Signer\u2063",       // INVISIBLE SEPARATOR
		"Revoked Signer\ufe0f",       // VARIATION SELECTOR-16
		"Revoked Signer\U000e0020",   // TAG SPACE
		"Revoked \U000e0001Signer",   // LANGUAGE TAG
		"Revoked Sig\u180bner",       // MONGOLIAN FREE VARIATION SELECTOR ONE
		"Revoked Sig\u1806ner",       // MONGOLIAN TODO SOFT HYPHEN
		"Revoked Signer\ufffc",       // OBJECT REPLACEMENT CHARACTER
		"Revoked Signer\u206a",       // INHIBIT SYMMETRIC SWAPPING
		"Revoked Signer\U000e0100",   // VARIATION SELECTOR-17
		"Revoked Sig\u00adn\u200ber", // already mapped: SOFT HYPHEN, ZWSP
	} {
		leaf := root.Issue(testpki.Spec{CommonName: cn, Organization: "Revoked Ltd", KeyN: 1})
		id := signing.NewIdentity(leaf.Cert)
		for _, e := range []Entry{
			{Kind: KindSubject, Value: "Revoked Signer", Issuer: "Invisible Root"},
			{Kind: KindSubject, Value: "CN=Revoked Signer,O=Revoked Ltd", Issuer: "CN=Invisible Root"},
		} {
			l := New()
			if err := l.Add(e); err != nil {
				t.Fatal(err)
			}
			if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
				t.Errorf("CN %+q: entry %q: %d hits, want 1 (subject %q)", cn, e.Value, len(hits), id.Subject)
			}
		}
	}
	// A visible difference is another name.
	leaf := root.Issue(testpki.Spec{CommonName: "Revoked Signer 2", Organization: "Revoked Ltd", KeyN: 1})
	l := New()
	if err := l.Add(Entry{Kind: KindSubject, Value: "Revoked Signer", Issuer: "Invisible Root"}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(leaf.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("another name matched: %v", hits)
	}
}
