package cms

import (
	"bytes"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackCertificateCacheTamperedCertificate: the certificates of every
// SignedData are parsed once per distinct DER (parsedCerts). A SignedData
// carrying a copy of a certificate already parsed, with a byte of its key or
// of its signature changed, gets that tampered certificate, not the genuine
// one: its signer does not verify, and its issuer's signature over it does
// not either.
func TestAttackCertificateCacheTamperedCertificate(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "cache root", KeyN: 0})
	leaf := root.Issue(testpki.Spec{CommonName: "cache leaf", KeyN: 1})
	content := []byte("signed content")
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, ContentIsOctetString: true, Signer: leaf, Certs: []*testpki.Cert{leaf}})
	at := bytes.Index(der, leaf.Cert.Raw)
	spki := bytes.Index(leaf.Cert.Raw, leaf.Cert.RawSubjectPublicKeyInfo)
	if at < 0 || spki < 0 {
		t.Fatal("leaf or its key not found")
	}
	keyFlip := append([]byte(nil), der...)
	keyFlip[at+spki+len(leaf.Cert.RawSubjectPublicKeyInfo)/2] ^= 1 // a byte of the modulus
	sigFlip := append([]byte(nil), der...)
	sigFlip[at+len(leaf.Cert.Raw)-1] ^= 1 // the certificate signature's last byte
	check := func(name string, b []byte, wantSigner, wantIssuer bool) {
		t.Helper()
		sd, err := Parse(b)
		if err != nil || len(sd.Certificates) != 1 {
			t.Fatalf("%s: %v, %d certificates", name, err, len(sd.Certificates))
		}
		c := sd.Certificates[0]
		if !bytes.Equal(c.Raw, b[at:at+len(leaf.Cert.Raw)]) {
			t.Fatalf("%s: the parsed certificate is not the one in the SignedData", name)
		}
		r := VerifySigner(sd.Signers[0], sd.Certificates, nil, sd.Content)
		if ok := r.Err == nil; ok != wantSigner {
			t.Errorf("%s: signer verifies %v, want %v (%v)", name, ok, wantSigner, r.Err)
		}
		err = root.Cert.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
		if ok := err == nil; ok != wantIssuer {
			t.Errorf("%s: issuer's signature verifies %v, want %v", name, ok, wantIssuer)
		}
	}
	for range 2 {
		check("genuine", der, true, true)
		check("key tampered", keyFlip, false, false)
		check("signature tampered", sigFlip, true, false)
	}
	_, ok := parsedCerts.m.Get(string(leaf.Cert.Raw))
	if !ok {
		t.Error("the genuine leaf is not remembered")
	}
}

// TestCertificateCacheIsolation: a certificate from parsedCerts is the
// caller's own (changing it changes no other caller's) and does not alias
// the caller's buffer, which may be reused.
func TestCertificateCacheIsolation(t *testing.T) {
	t.Parallel()
	leaf := testpki.NewRoot(testpki.Spec{CommonName: "isolation", KeyN: 2})
	buf := append([]byte(nil), leaf.Cert.Raw...)
	a, err := parsedCerts.parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parsedCerts.parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two parses share a certificate")
	}
	a.Subject.CommonName = "changed"
	buf[len(buf)-1] ^= 1
	c, err := parsedCerts.parse(leaf.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject.CommonName != "isolation" || !bytes.Equal(c.Raw, leaf.Cert.Raw) || !bytes.Equal(b.Raw, leaf.Cert.Raw) {
		t.Errorf("a caller's change or buffer reached the cache: %q", c.Subject.CommonName)
	}
	if _, err := parsedCerts.parse(buf[:len(buf)-2]); err == nil {
		t.Error("a truncated certificate parses")
	}
	if _, err := parsedCerts.parse(nil); err == nil {
		t.Error("no certificate parses")
	}
}

// TestCertificateCacheConcurrent parses one certificate from several
// goroutines, as verify checks files in parallel (run with -race).
func TestCertificateCacheConcurrent(t *testing.T) {
	t.Parallel()
	leaf := testpki.NewRoot(testpki.Spec{CommonName: "concurrent", KeyN: 3})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				c, err := parsedCerts.parse(leaf.Cert.Raw)
				if err != nil || !bytes.Equal(c.Raw, leaf.Cert.Raw) {
					t.Errorf("parse: %v", err)
					return
				}
				c.Subject.CommonName = "mine"
			}
		})
	}
	wg.Wait()
}
