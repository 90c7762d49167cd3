package pkg

import (
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackMD5SignedInstallerLeaf: macOS's basic X.509 policy refuses a
// chain with an MD5-signed certificate (kSecPolicyCheckWeakSignature). A
// package signed by an installer leaf its CA signed with MD5 passed as
// valid; SHA-1 is still accepted.
func TestAttackMD5SignedInstallerLeaf(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	for _, tc := range []struct {
		alg  x509.SignatureAlgorithm
		want string
	}{
		{x509.MD5WithRSA, "apple-pkg:untrusted"},
		{x509.SHA1WithRSA, "apple-pkg:valid"},
	} {
		leaf := p.CA.Issue(testpki.Spec{
			CommonName: "Developer ID Installer: Example Corp (" + machofile.TeamID + ") " + tc.alg.String(), Organization: "Example Corp",
			OrganizationalUnit: machofile.TeamID, KeyN: 21, NoEKU: true, SignatureAlgorithm: tc.alg, ExtraExtensions: pkgfile.InstallerLeafExtensions(),
		})
		s := signedSpec(t)
		s.Signer, s.CMS = leaf, false
		b, _ := pkgfile.Build(s)
		res := verifyBytes(t, b, machofile.SignTime)
		if got := statuses(res); got != tc.want {
			t.Errorf("%s: statuses %s, want %s; findings %s", tc.alg, got, tc.want, rules(res))
		}
	}
}
