package signing_test

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

var (
	oidDC    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// TestFormatNameApple: an Apple developer leaf's subject prints its UID by
// name, in the facts and where the chain names it as an issuer.
func TestFormatNameApple(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "name test root", KeyN: 20})
	leaf := root.Issue(testpki.Spec{CommonName: "Developer ID Application: Example Corp (ABCDE12345)", Organization: "Example Corp", OrganizationalUnit: "ABCDE12345",
		KeyN: 21, ExtraNames: []pkix.AttributeTypeAndValue{testpki.UID("ABCDE12345")}})
	id := signing.NewIdentity(leaf.Cert)
	const want = "CN=Developer ID Application: Example Corp (ABCDE12345),OU=ABCDE12345,O=Example Corp,UID=ABCDE12345"
	if id.Subject != want {
		t.Errorf("subject %q, want %q", id.Subject, want)
	}
	if raw := leaf.Cert.Subject.String(); !strings.Contains(raw, "0.9.2342.19200300.100.1.1=#") {
		t.Errorf("pkix prints %q: the test no longer shows the difference", raw)
	}
}

// TestFormatNameMatchesPkix: names without UID or DC print exactly as
// pkix.Name.String prints them (escaping, order, unknown types in hex),
// so that existing reports, blocklists and policies keep their strings.
func TestFormatNameMatchesPkix(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "name test root", KeyN: 20})
	for i, spec := range []testpki.Spec{
		{CommonName: "plain"},
		{CommonName: " lead and trail ", Organization: "#hash, comma; semi", OrganizationalUnit: `quote " back \ <angle> +plus`},
		{CommonName: "Ünïcödé 名前", ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidEmail, Value: "a@example.com"}}},
		{CommonName: "number", ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, Value: "US"}}},
	} {
		spec.KeyN = 22 + i
		c := root.Issue(spec).Cert
		if got, want := signing.FormatName(c.Subject), c.Subject.String(); got != want {
			t.Errorf("%d: %q, pkix %q", i, got, want)
		}
		if got, want := signing.FormatName(c.Issuer), c.Issuer.String(); got != want {
			t.Errorf("%d issuer: %q, pkix %q", i, got, want)
		}
	}
}

// TestFormatNameValues: UID and DC values are escaped as any value, so a
// UID cannot forge a second attribute; a UID that is not a string keeps
// pkix's hex form.
func TestFormatNameValues(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "name test root", KeyN: 20})
	for i, tc := range []struct {
		extra []pkix.AttributeTypeAndValue
		want  string
	}{
		{[]pkix.AttributeTypeAndValue{testpki.UID("T,CN=Apple")}, `CN=x,UID=T\,CN=Apple`},
		{[]pkix.AttributeTypeAndValue{{Type: oidDC, Value: "example"}, {Type: oidDC, Value: "com"}}, "CN=x,DC=com,DC=example"},
	} {
		c := root.Issue(testpki.Spec{CommonName: "x", KeyN: 30 + i, ExtraNames: tc.extra}).Cert
		if got := signing.FormatName(c.Subject); got != tc.want {
			t.Errorf("%d: %q, want %q", i, got, tc.want)
		}
	}
	n := pkix.Name{CommonName: "x", Names: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: 7}}}
	if got, want := signing.FormatName(n), "CN=x,0.9.2342.19200300.100.1.1=#020107"; got != want || n.String() != want {
		t.Errorf("integer UID: %q (pkix %q), want %q", got, n.String(), want)
	}
}

// TestFormatNameOpenSSL cross-checks the attribute names and values with
// OpenSSL's RFC 2253 rendering (which keeps the DER order, where
// pkix.Name.String and FormatName put UID and DC last): the same
// attributes, UID and DC by name.
func TestFormatNameOpenSSL(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the cross-check")
	}
	root := testpki.NewRoot(testpki.Spec{CommonName: "name test root", KeyN: 20})
	leaf := root.Issue(testpki.Spec{CommonName: "Apple Development: Example Corp (ABCDE12345)", Organization: "Example Corp", OrganizationalUnit: "ABCDE12345",
		KeyN: 21, ExtraNames: []pkix.AttributeTypeAndValue{testpki.UID("ABCDE12345"), {Type: oidDC, Value: "example"}}})
	p := filepath.Join(t.TempDir(), "leaf.pem")
	if err := os.WriteFile(p, leaf.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "x509", "-in", p, "-noout", "-subject", "-nameopt", "RFC2253").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	theirs := strings.Split(strings.TrimPrefix(strings.TrimSpace(string(out)), "subject="), ",")
	ours := strings.Split(signing.FormatName(leaf.Cert.Subject), ",")
	slices.Sort(theirs)
	slices.Sort(ours)
	if !slices.Equal(theirs, ours) {
		t.Errorf("openssl %q, ours %q", theirs, ours)
	}
}

// TestFormatNameRepeatedCN: crypto/x509 keeps the last of two CNs (and of
// two serialNumbers), so pkix.Name.String prints "CN=Mallory" then
// "CN=Acme" as a name holding Acme alone; FormatName prints every
// attribute, in certificate order, and NameDropsAttributes says the pkix
// form is partial.
func TestFormatNameRepeatedCN(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "name test root", KeyN: 20})
	oidCN := asn1.ObjectIdentifier{2, 5, 4, 3}
	c := root.Issue(testpki.Spec{Organization: "Acme", KeyN: 40, ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidCN, Value: "Mallory"}, {Type: oidCN, Value: "Acme"}}}).Cert
	plain := root.Issue(testpki.Spec{CommonName: "Acme", Organization: "Acme", KeyN: 41}).Cert
	if c.Subject.String() != plain.Subject.String() {
		t.Skipf("crypto/x509 no longer drops a repeated CN: %q", c.Subject.String())
	}
	if !signing.NameDropsAttributes(c.Subject) || signing.NameDropsAttributes(plain.Subject) {
		t.Error("NameDropsAttributes")
	}
	got := signing.FormatName(c.Subject)
	if want := "CN=Acme,CN=Mallory,O=Acme"; got != want {
		t.Errorf("FormatName %q, want %q", got, want)
	}
	if got == signing.FormatName(plain.Subject) {
		t.Error("a name with a second CN prints as one without")
	}
	serial := pkix.Name{Names: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "1"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "2"}}}
	if !signing.NameDropsAttributes(serial) || signing.FormatName(serial) != "SERIALNUMBER=2,SERIALNUMBER=1" {
		t.Errorf("repeated serialNumber: %q", signing.FormatName(serial))
	}
}
