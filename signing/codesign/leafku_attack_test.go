package codesign

import (
	"bytes"
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackLeafKeyUsageWithoutSigning: macOS's code-signing policy
// (SecPolicyCreateCodeSigning) accepts a leaf whose key usage extension,
// when present, has digitalSignature or nonRepudiation. A Mach-O signed
// by a leaf whose key usage says keyEncipherment only (a key certified to
// encrypt, not to sign) does not verify on a Mac; it passed as valid.
func TestAttackLeafKeyUsageWithoutSigning(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for _, tc := range []struct {
		name string
		ku   x509.KeyUsage
		want signing.Status
	}{
		{"key-encipherment", x509.KeyUsageKeyEncipherment, signing.StatusUntrusted},
		{"digital-signature", x509.KeyUsageDigitalSignature, signing.StatusValid},
		{"non-repudiation", x509.KeyUsageContentCommitment, signing.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := p.CA.Issue(testpki.Spec{
				CommonName: "Developer ID Application: Example Corp (" + machofile.TeamID + ") " + tc.name, Organization: "Example Corp",
				OrganizationalUnit: machofile.TeamID, KeyUsage: tc.ku, KeyN: 19, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
			})
			s := machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
			spec := p.DeveloperIDSpec("com.example.app")
			spec.CMS = s.CMS
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 80, CodeSize: 6000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Signatures[0].Status; got != tc.want {
				t.Errorf("status %s, want %s\n%s", got, tc.want, dump(res))
			}
		})
	}
}
