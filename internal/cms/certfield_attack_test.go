package cms_test

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// resigned returns c's to-be-signed part with sig as its signature value:
// a certificate that parses, whose signature nobody can check without the
// issuer it names (anyone can make one).
func resigned(c *testpki.Cert, sig []byte) []byte {
	sha256RSA := []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00}
	return testpki.TLV(0x30, c.Cert.RawTBSCertificate, sha256RSA, testpki.TLV(0x03, append([]byte{0}, sig...)))
}

// TestAttackUnusedCertificateFieldCarrier: an unused certificate was a
// payload carrier only when it passed 4096 bytes or held an extension
// value past 1024. The certificate set is covered by no signature, so
// anyone can add to a signed file a certificate of their own under a
// made-up issuer whose signature value, or subject, is 3 KB of their
// data: under both limits it was a warning, and four of them (12 KB) left
// the signature valid. A signature value longer than an RSA-8192
// signature, a name past 1024 bytes or a public key past an RSA-16384 one
// now make the certificate a carrier; real leftovers stay warnings.
func TestAttackUnusedCertificateFieldCarrier(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	chain := []*x509.Certificate{p.signer.Cert, p.root.Cert}
	orphan := testpki.NewRoot(testpki.Spec{CommonName: "Made-up Issuer", KeyN: 12})
	leftover := orphan.Issue(testpki.Spec{CommonName: "Leftover Intermediate", KeyN: 13, CA: true})
	longName := orphan.Issue(testpki.Spec{CommonName: "Carrier", Organization: strings.Repeat("payload ", 380), KeyN: 14})
	for _, tc := range []struct {
		name    string
		der     []byte
		payload bool
	}{
		{"leftover", leftover.Cert.Raw, false},
		{"leftover-resigned-4096-bit", resigned(leftover, bytes.Repeat([]byte{0x5a}, 512)), false},
		{"signature-carrier", resigned(leftover, bytes.Repeat([]byte("payload "), 375)), true},
		{"name-carrier", longName.Cert.Raw, true},
	} {
		if len(tc.der) > cms.LargeCertificate {
			t.Fatalf("%s: %d bytes; the test needs a certificate under the size limit", tc.name, len(tc.der))
		}
		der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, RawCertificates: [][]byte{tc.der}})
		sd, err := cms.Parse(der)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		unused := sd.UnusedCertificates(chain)
		if len(unused) != 1 {
			t.Fatalf("%s: %d unused regions, want 1", tc.name, len(unused))
		}
		if unused[0].Payload != tc.payload {
			t.Errorf("%s: region %+v, want payload %v", tc.name, unused[0], tc.payload)
		}
	}
}
