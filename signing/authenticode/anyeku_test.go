package authenticode

import (
	"crypto"
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAnyEKUOnlyLeafAccepted pins the Windows decision on a leaf whose only
// extended key usage is anyExtendedKeyUsage (2.5.29.37.0): CryptoAPI's chain
// engine takes it as valid for every requested usage, code signing
// included (the "Any Purpose" certificates of AD CS, abused as ESC2 in
// SpecterOps' Certified Pre-Owned, sign code and log on alike), so
// Authenticode accepts it, unlike macOS's code-signing policy
// (codesign.TestAttackAnyEKUOnlyLeaf). A leaf whose usages all name other
// purposes stays untrusted.
func TestAnyEKUOnlyLeafAccepted(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	for _, tc := range []struct {
		name string
		eku  []x509.ExtKeyUsage
		want signing.Status
	}{
		{"any-only", []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, signing.StatusValid},
		{"client-auth-only", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, signing.StatusUntrusted},
	} {
		leaf := p.Inter.Issue(testpki.Spec{CommonName: "Fixture " + tc.name, KeyN: 2, EKU: tc.eku})
		b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
		if res.Status != tc.want {
			t.Errorf("%s: status %s, want %s: %+v", tc.name, res.Status, tc.want, res.Findings)
		}
	}
}
