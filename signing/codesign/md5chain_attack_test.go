package codesign

import (
	"bytes"
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMD5SignedLeaf: macOS's basic X.509 policy refuses a chain
// with an MD5-signed certificate (kSecPolicyCheckWeakSignature), the
// hash whose collisions forged a CA certificate in 2008 and Flame's
// code-signing certificate in 2012. A Mach-O whose leaf the trusted CA
// signed with MD5 does not verify on a Mac; it passed as valid, the
// weakness kept out of the report. SHA-1 is still accepted.
func TestAttackMD5SignedLeaf(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for _, tc := range []struct {
		name string
		alg  x509.SignatureAlgorithm
		want signing.Status
	}{
		{"md5", x509.MD5WithRSA, signing.StatusUntrusted},
		{"sha1", x509.SHA1WithRSA, signing.StatusValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := p.CA.Issue(testpki.Spec{
				CommonName: "Developer ID Application: Example Corp (" + machofile.TeamID + ") " + tc.name, Organization: "Example Corp",
				OrganizationalUnit: machofile.TeamID, SignatureAlgorithm: tc.alg, KeyN: 20, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
			})
			s := machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
			spec := p.DeveloperIDSpec("com.example.app")
			spec.CMS = s.CMS
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 81, CodeSize: 6000}), spec)
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
