package testpki

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"sync"
)

// maxRSASignatures bounds the signatures SignPKCS1v15 remembers; past it,
// it signs without remembering.
const maxRSASignatures = 1 << 14

// rsaSignatures maps a digest of (modulus, private exponent, hash, digest)
// to the PKCS#1 v1.5 signature made for it.
var rsaSignatures = struct {
	sync.Mutex
	m map[[sha256.Size]byte][]byte
}{m: map[[sha256.Size]byte][]byte{}}

// SignPKCS1v15 returns rsa.SignPKCS1v15(nil, k, h, digest), remembered
// per process: PKCS#1 v1.5 signatures are deterministic, so the same key,
// hash and digest always give the same bytes, and fixtures re-signed
// with the same key over the same content (every test that builds the
// example bundle or package, every copy of a signed PE) pay one RSA
// private-key operation instead of one each. The result is the caller's
// own copy.
func SignPKCS1v15(k *rsa.PrivateKey, h crypto.Hash, digest []byte) ([]byte, error) {
	id := sha256.New()
	id.Write(k.N.Bytes())
	id.Write([]byte{0})
	id.Write(k.D.Bytes())
	id.Write([]byte{0, byte(h), 0})
	id.Write(digest)
	var key [sha256.Size]byte
	id.Sum(key[:0])
	rsaSignatures.Lock()
	sig, ok := rsaSignatures.m[key]
	rsaSignatures.Unlock()
	if ok {
		return append([]byte(nil), sig...), nil
	}
	sig, err := rsa.SignPKCS1v15(nil, k, h, digest)
	if err != nil {
		return nil, err
	}
	rsaSignatures.Lock()
	if len(rsaSignatures.m) < maxRSASignatures {
		rsaSignatures.m[key] = append([]byte(nil), sig...)
	}
	rsaSignatures.Unlock()
	return sig, nil
}

// rememberingSigner is an RSA key whose PKCS#1 v1.5 signatures go through
// SignPKCS1v15 (minting the same certificate again, as every test that
// makes its PKI does, then costs no private-key operation); PSS signs as
// the key does.
type rememberingSigner struct{ k *rsa.PrivateKey }

func (s rememberingSigner) Public() crypto.PublicKey { return s.k.Public() }

func (s rememberingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return s.k.Sign(r, digest, opts)
	}
	return SignPKCS1v15(s.k, opts.HashFunc(), digest)
}

// remembering returns k signing through SignPKCS1v15 when it is an RSA
// key, else k.
func remembering(k crypto.Signer) crypto.Signer {
	if rk, ok := k.(*rsa.PrivateKey); ok {
		return rememberingSigner{rk}
	}
	return k
}
