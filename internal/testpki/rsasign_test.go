package testpki

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// TestSignPKCS1v15Remembered: the remembered signature is the one
// crypto/rsa makes, for each key and hash, and each caller gets its own
// copy (a fixture that corrupts its signature does not corrupt the next).
func TestSignPKCS1v15Remembered(t *testing.T) {
	d := sha256.Sum256([]byte("signed"))
	for n := range 2 {
		k := Key(RSA, n).(*rsa.PrivateKey)
		for _, h := range []crypto.Hash{crypto.SHA256, 0} {
			want, err := rsa.SignPKCS1v15(nil, k, h, d[:])
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := SignPKCS1v15(k, h, d[:])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("key %d hash %v: signature differs from crypto/rsa's", n, h)
				}
				got[0] ^= 0xff
			}
		}
	}
	other := sha256.Sum256([]byte("other"))
	a, _ := SignPKCS1v15(Key(RSA, 0).(*rsa.PrivateKey), crypto.SHA256, d[:])
	b, _ := SignPKCS1v15(Key(RSA, 0).(*rsa.PrivateKey), crypto.SHA256, other[:])
	if bytes.Equal(a, b) {
		t.Fatal("two digests share a signature")
	}
}

// TestMintRemembered: a certificate minted again through the remembered
// signatures is byte-identical and its signature checks.
func TestMintRemembered(t *testing.T) {
	root := NewRoot(Spec{CommonName: "remembered root"})
	a := root.Issue(Spec{CommonName: "remembered leaf", KeyN: 1})
	b := root.Issue(Spec{CommonName: "remembered leaf", KeyN: 1})
	if !bytes.Equal(a.Cert.Raw, b.Cert.Raw) {
		t.Fatal("the same spec minted two certificates")
	}
	if err := b.Cert.CheckSignatureFrom(root.Cert); err != nil {
		t.Fatal(err)
	}
}
