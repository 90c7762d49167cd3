package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestSignerRootNarrowsNamePin: a subject and issuer are names a CA
// writes. A root given in trust.roots (here a company CA) can issue a CA
// named like the vendor's and under it a leaf named like the vendor's
// leaf: a name pin alone is met by it, as Windows' and codesign's name
// checks are. A signer entry's root (the SHA-256 or SHA-1 of the root its
// chain must end at) binds the pin to the vendor's hierarchy: the copy
// is refused, the vendor's own signature still matches.
func TestSignerRootNarrowsNamePin(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	corp := testpki.NewRoot(testpki.Spec{CommonName: "Corp Root CA", Organization: "Corp", KeyN: 74})
	ca := corp.Issue(testpki.Spec{CommonName: f.apple.CA.Cert.Subject.CommonName, Organization: f.apple.CA.Cert.Subject.Organization[0], CA: true, KeyN: 75, ExtraExtensions: machofile.DeveloperIDCAExtensions()})
	real := f.apple.Leaf.Cert.Subject
	leaf := ca.Issue(testpki.Spec{CommonName: real.CommonName, Organization: real.Organization[0], OrganizationalUnit: real.OrganizationalUnit[0], KeyN: 76, ExtraExtensions: machofile.DeveloperIDLeafExtensions()})
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.CMS = machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{ca}, SigningTime: machofile.SignTime}.CMS
	forged, _, err := machofile.Sign(f.machoUnsigned, spec)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{bytes.Join([][]byte{f.apple.Root.PEM(), corp.PEM()}, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/forged": forged, "MacOS/app": f.machoValid})
	id := signing.NewIdentity(f.apple.Leaf.Cert)
	rootID := signing.NewIdentity(f.apple.Root.Cert)
	for _, tc := range []struct {
		name       string
		root       string
		forgedPass bool
	}{
		{"names-only", "", true},
		{"root-sha256", rootID.SHA256, false},
		{"root-sha1", strings.ToUpper(rootID.SHA1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{Subject: id.Subject, Issuer: id.Issuer, Root: tc.root}}}}}
			r := run(t, Options{Policy: pol, Trust: trust}, dir)
			if m := fileByPath(r, "MacOS/forged"); m == nil || len(m.Signatures) != 1 || m.Signatures[0].Status != signing.StatusValid || m.Signatures[0].Signer.Subject != id.Subject {
				t.Fatalf("the forged Mach-O is not what the test needs: %+v", m)
			}
			if got := !has(rulesFor(r, "MacOS/forged"), "error "+string(ruleSignerNotAllow)); got != tc.forgedPass {
				t.Errorf("forged copy passes the pin: %v, want %v (%v)", got, tc.forgedPass, rulesFor(r, "MacOS/forged"))
			}
			if has(rulesFor(r, "MacOS/app"), "error "+string(ruleSignerNotAllow)) {
				t.Errorf("the vendor's own Mach-O refused: %v", rulesFor(r, "MacOS/app"))
			}
		})
	}
	for _, bad := range []string{"root: abc", "root: " + rootID.SHA256, "root: " + strings.Repeat("g", 40)} {
		yaml := "rules:\n  - match: ['**']\n    signers:\n      - " + bad + "\n"
		_, err := ParsePolicy([]byte(yaml))
		if err == nil {
			t.Errorf("%q alone or malformed accepted", bad)
		}
	}
	ok := "rules:\n  - match: ['**']\n    signers:\n      - {thumbprint: " + id.SHA256 + ", root: " + rootID.SHA256 + "}\n"
	if _, err := ParsePolicy([]byte(ok)); err != nil {
		t.Errorf("thumbprint with root: %v", err)
	}
}
