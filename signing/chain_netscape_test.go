package signing_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// A critical Netscape certificate type extension is handled, as OpenSSL
// handles it (the Debian Secure Boot CA carries one): code-signing chains
// need Object Signing CA on CAs and Object Signing on the leaf.
func TestChainNetscapeCertType(t *testing.T) {
	t.Parallel()
	ns := func(bits byte) []pkix.Extension { return []pkix.Extension{testpki.NetscapeCertType(bits, true)} }
	cases := []struct {
		name       string
		root, leaf []pkix.Extension
		usage      x509.ExtKeyUsage
		problem    string // empty: trusted
	}{
		{name: "debian-root", root: ns(testpki.NSDebianCA), usage: x509.ExtKeyUsageCodeSigning},
		{name: "objca-root-objsign-leaf", root: ns(testpki.NSObjectSigningCA), leaf: ns(testpki.NSObjectSigning), usage: x509.ExtKeyUsageCodeSigning},
		{name: "non-critical-ignored", root: []pkix.Extension{testpki.NetscapeCertType(testpki.NSSSLCA, false)}, usage: x509.ExtKeyUsageCodeSigning},
		{name: "root-ssl-ca-only", root: ns(testpki.NSSSLCA), usage: x509.ExtKeyUsageCodeSigning, problem: "without Object Signing CA"},
		{name: "leaf-without-objsign", root: ns(testpki.NSDebianCA), leaf: ns(0x80), usage: x509.ExtKeyUsageCodeSigning, problem: "without Object Signing"},
		{name: "timestamping-any-ca-bit", root: ns(testpki.NSSSLCA), usage: x509.ExtKeyUsageTimeStamping},
		{name: "root-no-ca-bit", root: ns(testpki.NSObjectSigning), usage: x509.ExtKeyUsageTimeStamping, problem: "without any CA type"},
		{name: "unparsable", root: []pkix.Extension{{Id: []int{2, 16, 840, 1, 113730, 1, 1}, Critical: true, Value: []byte{0x05, 0x00}}}, usage: x509.ExtKeyUsageCodeSigning, problem: "does not parse"},
		{name: "other-critical-still-refused", root: []pkix.Extension{{Id: []int{1, 2, 3, 4}, Critical: true, Value: []byte{0x05, 0x00}}}, usage: x509.ExtKeyUsageCodeSigning, problem: "unhandled critical extension 1.2.3.4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := testpki.NewRoot(testpki.Spec{CommonName: "NS Root " + c.name, ExtraExtensions: c.root})
			eku := []x509.ExtKeyUsage{c.usage}
			leaf := root.Issue(testpki.Spec{CommonName: "NS Leaf", KeyN: 2, EKU: eku, ExtraExtensions: c.leaf})
			ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
			if err != nil {
				t.Fatal(err)
			}
			r := ts.VerifyChain(leaf.Cert, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: c.usage})
			if c.problem == "" {
				if !r.Trusted {
					t.Fatalf("untrusted: %s", r.Problem)
				}
				return
			}
			if r.Trusted || !strings.Contains(r.Problem, c.problem) {
				t.Fatalf("trusted %v, problem %q; want untrusted with %q", r.Trusted, r.Problem, c.problem)
			}
		})
	}
}
