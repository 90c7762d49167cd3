package blocklist

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// reencodeSPKI returns a copy of cert, re-signed by issuer, whose
// SubjectPublicKeyInfo holds the same key with junk after the
// RSAPublicKey inside its BIT STRING (or, inner, after the exponent
// inside the RSAPublicKey): crypto/x509 reads the same key from either.
func reencodeSPKI(t *testing.T, cert *x509.Certificate, issuer *testpki.Cert, inner bool) *x509.Certificate {
	t.Helper()
	in := cryptobyte.String(cert.RawSubjectPublicKeyInfo)
	var spki, alg, bits cryptobyte.String
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1Element(&alg, cbasn1.SEQUENCE) || !spki.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) < 1 || bits[0] != 0 {
		t.Fatal("fixture SPKI does not parse")
	}
	key := []byte(bits[1:])
	if inner {
		k := cryptobyte.String(key)
		var body cryptobyte.String
		if !k.ReadASN1(&body, cbasn1.SEQUENCE) {
			t.Fatal("fixture RSA key does not parse")
		}
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(body)
			b.AddASN1OctetString([]byte("junk"))
		})
		key = b.BytesOrPanic()
	} else {
		key = append(bytes.Clone(key), 0x05, 0x00)
	}
	var nb cryptobyte.Builder
	nb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(alg)
		b.AddASN1BitString(key)
	})
	newSPKI := nb.BytesOrPanic()
	tbsIn := cryptobyte.String(cert.RawTBSCertificate)
	var tbsBody cryptobyte.String
	if !tbsIn.ReadASN1(&tbsBody, cbasn1.SEQUENCE) {
		t.Fatal("fixture TBS does not parse")
	}
	i := bytes.Index(tbsBody, cert.RawSubjectPublicKeyInfo)
	if i < 0 {
		t.Fatal("SPKI not found in TBS")
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsBody[:i])
		b.AddBytes(newSPKI)
		b.AddBytes(tbsBody[i+len(cert.RawSubjectPublicKeyInfo):])
	})
	tbs := tb.BytesOrPanic()
	_, sigAlg := certParts(t, cert.Raw)
	digest := sha256.Sum256(tbs)
	sig, err := issuer.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	c := joinCert(t, tbs, sigAlg, sig, "re-encoded certificate")
	if err := c.CheckSignatureFrom(issuer.Cert); err != nil {
		t.Fatalf("re-encoded certificate does not verify: %v", err)
	}
	return c
}

// TestAttackSPKIReencodedKey checks that an spki-sha256 entry, which blocks
// a key across the certificates issued for it, still blocks a certificate
// whose SubjectPublicKeyInfo encodes that key with extra bytes that
// crypto/x509 ignores (after the RSAPublicKey in the BIT STRING, or after
// its exponent). The entry hashed the DER as the certificate wrote it, so
// whoever holds a blocked key could have it re-certified, from a request
// so encoded, and sign again unblocked. The key's canonical encoding is
// matched too.
func TestAttackSPKIReencodedKey(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "SPKI Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Compromised Key Signer", KeyN: 1, Serial: big.NewInt(0x5a5a)})
	entry := signing.NewIdentity(leaf.Cert).SPKISHA256
	for _, inner := range []bool{false, true} {
		twin := reencodeSPKI(t, leaf.Cert, root, inner)
		id := signing.NewIdentity(twin)
		if id.SPKISHA256 == entry {
			t.Fatal("re-encoding left the SPKI hash unchanged")
		}
		l := New()
		if err := l.Add(Entry{Kind: KindSPKISHA256, Value: entry}); err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
			t.Errorf("inner=%v: %d hits for the same key re-encoded, want 1", inner, len(hits))
		}
		// The entry may also have been taken from the odd certificate:
		// its own hash still matches it, once.
		l = New()
		if err := l.Add(Entry{Kind: KindSPKISHA256, Value: id.SPKISHA256}); err != nil {
			t.Fatal(err)
		}
		if hits := l.MatchChain([]signing.Identity{id}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
			t.Errorf("inner=%v: %d hits for the odd encoding's own hash, want 1", inner, len(hits))
		}
	}
	// Another key is not matched.
	other := root.Issue(testpki.Spec{CommonName: "Other Signer", KeyN: 2})
	l := New()
	if err := l.Add(Entry{Kind: KindSPKISHA256, Value: entry}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(other.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("another key matched: %v", hits)
	}
}
