package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

func TestConfusable(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"CN=\u0410pple Inc", "CN=Apple Inc", true},  // Cyrillic А
		{"CN=Micr\u043esoft", "CN=Microsoft", true},  // Cyrillic о
		{"CN=\u039f\u039a Corp", "CN=OK Corp", true}, // Greek Ο and Κ
		{"CN=\uff21pple Inc", "CN=Apple Inc", true},  // full-width Ａ
		{"CN=\u0430pple inc", "CN=Apple Inc", true},  // look-alike and case
		{"CN=apple inc", "CN=Apple Inc", false},      // case alone is not a look-alike
		{"CN=Apple Inc", "CN=Apple Inc", false},      // the same name
		{"CN=Apple Inc", "CN=Apples Inc", false},     // another name
		{"CN=\u0411ob", "CN=Bob", false},             // Б does not look like B
		{"CN=\u0410pple Inc,O=\u0410pple", "CN=Apple Inc,O=Apple", true},
	} {
		if got := confusable(tc.a, tc.b); got != tc.want {
			t.Errorf("confusable(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestAttackConfusableSigner: a certificate whose subject spells the pinned
// vendor's name with Cyrillic letters is another signer: the pin refuses it
// (it always did), and a warning now names both names, so the report does
// not show two identical-looking names with nothing said.
func TestAttackConfusableSigner(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	const fake = "\u0415\u0445ample Vendor Ltd" // Cyrillic Е and х
	leaf := f.winRoot.Issue(testpki.Spec{CommonName: fake, Organization: fake, KeyN: 74})
	pe, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": pe})
	pinned := "CN=Example Vendor Ltd,O=Example Vendor Ltd"
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{Subject: pinned, Issuer: "CN=Shipgate Test Root"}}}}}
	r := mustFail(t, Options{Policy: pol}, "app.exe", ruleSignerNotAllow, dir)
	if !hasConfusable(r, "app.exe", pinned) {
		t.Errorf("no %s warning naming %q: %v", RuleConfusableName, pinned, rulesFor(r, "app.exe"))
	}
	// The vendor's own certificate raises no such warning.
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": f.peValid})
	if r := run(t, Options{Policy: pol}, dir); hasConfusable(r, "app.exe", "") {
		t.Errorf("the pinned vendor's own signature: %v", rulesFor(r, "app.exe"))
	}
}

// TestAttackConfusableBlocklistedSubject: a signer named like a blocklisted
// subject with look-alike letters is not blocked (it is someone else), but
// is reported.
func TestAttackConfusableBlocklistedSubject(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Look-alike Root", KeyN: 75})
	l := blocklist.New()
	if err := l.Add(blocklist.Entry{Kind: blocklist.KindSubject, Value: "CN=Evil Corp", Issuer: "CN=Somewhere", Source: "test"}); err != nil {
		t.Fatal(err)
	}
	m := &matcher{list: l, policy: blocklist.PolicyStrict}
	for name, want := range map[string]bool{"\u0415vil C\u043erp": true, "Evil Corp": false, "Evil Corporation": false} {
		leaf := root.Issue(testpki.Spec{CommonName: name, KeyN: 76})
		sig := &signing.Signature{Status: signing.StatusValid, Chain: []signing.Identity{signing.NewIdentity(leaf.Cert), signing.NewIdentity(root.Cert)}}
		got := false
		for _, x := range m.matchSignature(sig) {
			if x.Rule == RuleConfusableName && x.Severity == signing.SeverityWarning && strings.Contains(x.Message, `"CN=Evil Corp"`) {
				got = true
			}
		}
		if got != want || sig.Status != signing.StatusValid {
			t.Errorf("%q: warned %v, status %s; want warned %v, still valid", name, got, sig.Status, want)
		}
	}
}

func hasConfusable(r *Report, p, name string) bool {
	for _, x := range r.Findings {
		if x.Path == p && x.Rule == RuleConfusableName && x.Severity == signing.SeverityWarning && strings.Contains(x.Message, name) {
			return true
		}
	}
	return false
}
