package cms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// attributeCertificate builds an RFC 5755 attribute certificate as a
// CertificateChoices [1] entry, naming issuer (a DER Name) in its v2Form and
// carrying attrs, signed by key (nil: a signature of zeros nobody made).
func attributeCertificate(t *testing.T, issuer []byte, attrs []byte, key crypto.Signer) []byte {
	t.Helper()
	rsaAlg := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}), []byte{5, 0})
	ecAlg := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}))
	alg := rsaAlg
	if key != nil {
		if _, ok := key.Public().(*ecdsa.PublicKey); ok {
			alg = ecAlg
		}
	}
	holder := testpki.TLV(0x30, testpki.TLV(0xa1, testpki.TLV(0xa4, issuer)))
	validity := testpki.TLV(0x30, testpki.TLV(0x18, []byte("20260513084337Z")), testpki.TLV(0x18, []byte("20260514084337Z")))
	info := testpki.TLV(0x30,
		testpki.TLV(0x02, []byte{1}),
		holder,
		testpki.TLV(0xa0, testpki.TLV(0x30, testpki.TLV(0xa4, issuer))),
		alg,
		testpki.TLV(0x02, []byte{0x11, 0x22}),
		validity,
		testpki.TLV(0x30, attrs),
	)
	sig := make([]byte, 256)
	if key != nil {
		d := sha256.Sum256(info)
		var err error
		if sig, err = key.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	}
	return testpki.TLV(0xa1, info, alg, testpki.TLV(0x03, append([]byte{0}, sig...)))
}

// TestAttributeCertificateOwnership: an attribute certificate in the
// certificate set is owned when a certificate of a verified chain signed it,
// tolerated when it only names one as issuer and is small (Microsoft's
// time-stamp server attribute certificate), though reported as a note
// since no signature covers it, and reported otherwise.
func TestAttributeCertificateOwnership(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stranger := testpki.NewRoot(testpki.Spec{CommonName: "Stranger", KeyN: 6})
	small := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 6, 1, 4, 1, 0x84, 0x59, 10, 4, 1}), testpki.TLV(0x31, testpki.TLV(0x02, []byte{7})))
	big := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 6, 1, 4, 1, 0x84, 0x59, 10, 4, 1}), testpki.TLV(0x31, testpki.TLV(0x04, bytes.Repeat([]byte("P"), 1200))))
	rootName := p.root.Cert.RawSubject
	chain := []*x509.Certificate{p.signer.Cert, p.root.Cert}
	for _, tc := range []struct {
		name     string
		ac       []byte
		reported bool
		payload  bool
		signed   bool // by a chain certificate: owned wherever it is
	}{
		{name: "signed by a chain certificate", ac: attributeCertificate(t, rootName, small, p.root.Key), signed: true},
		{name: "large but signed by a chain certificate", ac: attributeCertificate(t, rootName, big, p.root.Key), signed: true},
		{name: "unverifiable, names a chain certificate, small", ac: attributeCertificate(t, rootName, small, nil)},
		{name: "unverifiable, names a chain certificate, large", ac: attributeCertificate(t, rootName, big, nil), reported: true, payload: true},
		{name: "names a stranger", ac: attributeCertificate(t, stranger.Cert.RawSubject, small, nil), reported: true, payload: true},
		{name: "signed by a stranger naming the root", ac: attributeCertificate(t, rootName, big, stranger.Key), reported: true, payload: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// In a time-stamp token, where the time-stamp server's is found.
			der := testpki.SignCMS(testpki.CMSSpec{ContentType: cms.OIDTSTInfo, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, RawCertificates: [][]byte{tc.ac}})
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(sd.Unowned) != 0 {
				t.Fatalf("a well-formed attribute certificate is judged by who signed it, not listed as unowned: %+v", sd.Unowned)
			}
			got := sd.UnusedCertificates(chain)
			if !tc.reported {
				if tc.signed {
					if len(got) != 0 {
						t.Fatalf("reported %+v, want nothing", got)
					}
					return
				}
				// Tolerated, but no signature covers it: a note.
				if len(got) != 1 || !got[0].Note || got[0].Payload {
					t.Fatalf("reported %+v, want one note", got)
				}
				// Not in a signature's own set, which holds no time-stamp
				// server's certificates (TestAttackAttributeCertificateInSignature
				// in signing/authenticode).
				der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, RawCertificates: [][]byte{tc.ac}})
				sd, err := cms.Parse(der)
				if err != nil {
					t.Fatal(err)
				}
				checkRegion(t, der, sd.UnusedCertificates(chain), tc.ac, "attribute certificate", true)
				return
			}
			checkRegion(t, der, got, tc.ac, "attribute certificate", tc.payload)
			// Without a verified chain nothing vouches for it.
			if len(sd.UnusedCertificates()) == 0 {
				t.Error("no chain: attribute certificate not reported")
			}
		})
	}
}
