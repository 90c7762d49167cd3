package codesign

import (
	"bytes"
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackAnyEKUOnlyLeaf: macOS's code-signing policy
// (SecPolicyCreateCodeSigning) requires the codeSigning purpose on the
// leaf and accepts anyExtendedKeyUsage on iOS only. A Mach-O signed by a
// leaf whose only EKU is anyExtendedKeyUsage (a certificate minted for
// some other job, such as a corporate CA's catch-all) does not verify
// on a Mac; it passed as valid. A leaf listing both stays valid.
func TestAttackAnyEKUOnlyLeaf(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for _, tc := range []struct {
		name string
		eku  []x509.ExtKeyUsage
		want signing.Status
	}{
		{"any-only", []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, signing.StatusUntrusted},
		{"any-and-codesigning", []x509.ExtKeyUsage{x509.ExtKeyUsageAny, x509.ExtKeyUsageCodeSigning}, signing.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := p.CA.Issue(testpki.Spec{
				CommonName: "Developer ID Application: Example Corp (" + machofile.TeamID + ") " + tc.name, Organization: "Example Corp",
				OrganizationalUnit: machofile.TeamID, EKU: tc.eku, KeyN: 18, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
			})
			s := machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
			spec := p.DeveloperIDSpec("com.example.app")
			spec.CMS = s.CMS
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 79, CodeSize: 6000}), spec)
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
