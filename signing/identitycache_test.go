package signing

import (
	"bytes"
	"crypto/x509"
	"reflect"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackIdentityCacheTamperedCertificate: NewIdentity remembers the
// identity of each certificate by its whole DER. A certificate whose
// signature or subject was changed after the genuine one was described
// gets its own identity (digests, TBS hashes, subject), the one a fresh
// computation gives, never the genuine one's: a blocklist keyed by any of
// them still matches it.
func TestAttackIdentityCacheTamperedCertificate(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root", KeyN: 0})
	leaf := root.Issue(testpki.Spec{CommonName: "identity cache leaf", KeyN: 2})
	sigFlip := append([]byte(nil), leaf.Cert.Raw...)
	sigFlip[len(sigFlip)-1] ^= 1
	nameFlip := append([]byte(nil), leaf.Cert.Raw...)
	i := bytes.Index(nameFlip, []byte("identity cache leaf"))
	if i < 0 {
		t.Fatal("subject not found")
	}
	nameFlip[i] = 'I'
	genuine := NewIdentity(leaf.Cert)
	for range 2 {
		for name, raw := range map[string][]byte{"signature": sigFlip, "subject": nameFlip} {
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, want := NewIdentity(c), newIdentity(c)
			if !reflect.DeepEqual(got, want) || got.Certificate != c {
				t.Errorf("%s tampered: identity %+v, want %+v", name, got, want)
			}
			if got.SHA256 == genuine.SHA256 || got.SHA1 == genuine.SHA1 {
				t.Errorf("%s tampered: the genuine certificate's digests", name)
			}
		}
		if got := NewIdentity(leaf.Cert); !reflect.DeepEqual(got, genuine) || got.Certificate != leaf.Cert {
			t.Errorf("genuine: %+v, want %+v", got, genuine)
		}
	}
	if got := NewIdentity(&x509.Certificate{Subject: leaf.Cert.Subject}); got.SHA256 == genuine.SHA256 || got.Subject != genuine.Subject {
		t.Errorf("a certificate without DER: %+v", got)
	}
	_, ok := identities.m.Get(string(leaf.Cert.Raw))
	if !ok {
		t.Error("the genuine identity is not remembered")
	}
}
