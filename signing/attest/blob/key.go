package blob

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// KeyOptions selects the signature scheme for a key. The zero value gives the
// schemes cosign uses for keys from PEM files: ECDSA (any curve) and RSA
// PKCS#1 v1.5 with SHA-256, and pure Ed25519.
type KeyOptions struct {
	// RSAPSS selects RSASSA-PSS (salt length = hash length) for RSA keys
	// instead of PKCS#1 v1.5. cosign cannot verify PSS signatures made from a
	// PEM key; use it only when the consumer is shipgate or selects PSS.
	RSAPSS bool
	// Hash is the digest for RSA and ECDSA signatures. Zero means SHA-256;
	// crypto.SHA384 gives the Sigstore algorithm registry's ECDSA P-384 scheme.
	// Ed25519 ignores it.
	Hash crypto.Hash
}

// ParsePublicKey decodes the first PEM block of pemBytes as a public key
// ("PUBLIC KEY", "RSA PUBLIC KEY", or a "CERTIFICATE"'s key) and checks it is
// an accepted key type and size.
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKey)
	}
	var pub crypto.PublicKey
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		c, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			pub = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if err := CheckPublicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// CheckPublicKey refuses key types and sizes that are not acceptable for
// release attestations.
func CheckPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("%w: ECDSA curve %s is not P-256, P-384 or P-521", ErrKey, k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key of %d bits is shorter than 2048", ErrKey, k.N.BitLen())
		}
		return nil
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("%w: unsupported public key type %T", ErrKey, pub)
}
