package attest

import (
	"crypto"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"golang.org/x/crypto/ssh"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// loadOptions turns o into sigstore's signature load options.
func loadOptions(o KeyOptions) ([]signature.LoadOption, error) {
	h := o.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	switch h {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, fmt.Errorf("%w: hash %v is not SHA-256, SHA-384 or SHA-512", ErrKey, h)
	}
	opts := []signature.LoadOption{options.WithHash(h)}
	if o.RSAPSS {
		opts = append(opts, options.WithRSAPSS(&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}))
	}
	return opts, nil
}

// LoadSigner loads a private key from a PEM file and returns a signer with the
// default [KeyOptions]. An encrypted key (PKCS#8 "ENCRYPTED PRIVATE KEY",
// legacy Proc-Type encrypted PEM, or a cosign/sigstore "ENCRYPTED … PRIVATE
// KEY") is decrypted with the password in the environment variable named
// passwordEnv; an empty name or an unset variable is an error for an
// encrypted key.
func LoadSigner(pemPath, passwordEnv string) (signature.Signer, error) {
	b, err := os.ReadFile(pemPath)
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	var password []byte
	if passwordEnv != "" {
		if v, ok := os.LookupEnv(passwordEnv); ok {
			password = []byte(v)
		}
	}
	s, err := ParseSigner(b, password, KeyOptions{})
	if err != nil {
		if password == nil && isEncryptedPEM(b) {
			return nil, fmt.Errorf("%s: key is encrypted: set the password in $%s: %w", pemPath, orDefault(passwordEnv, "<password-env>"), err)
		}
		return nil, fmt.Errorf("%s: %w", pemPath, err)
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ParseSigner returns a signer for a PEM private key (PKCS#8, PKCS#1 RSA or
// SEC 1 EC, optionally encrypted; password nil means none). Accepted keys are
// ECDSA P-256, P-384 and P-521, Ed25519, and RSA of 2048 bits or more.
func ParseSigner(pemBytes, password []byte, opts KeyOptions) (signature.Signer, error) {
	if isEncryptedPEM(pemBytes) && password == nil {
		return nil, fmt.Errorf("%w: private key is encrypted and no password was given", ErrKey)
	}
	pf := cryptoutils.PassFunc(func(bool) ([]byte, error) { return password, nil })
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(pemBytes, pf)
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported private key type %T", ErrKey, priv)
	}
	if err := blob.CheckPublicKey(signer.Public()); err != nil {
		return nil, err
	}
	lo, err := loadOptions(opts)
	if err != nil {
		return nil, err
	}
	s, err := signature.LoadSignerWithOpts(priv, lo...)
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	return s, nil
}

// LoadVerifier loads a public key (PEM "PUBLIC KEY", "RSA PUBLIC KEY" or the
// key of a "CERTIFICATE") from a file and returns a verifier for the scheme
// opts selects.
func LoadVerifier(pemPath string, opts KeyOptions) (signature.Verifier, error) {
	b, err := os.ReadFile(pemPath)
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	v, err := ParseVerifier(b, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pemPath, err)
	}
	return v, nil
}

// ParseVerifier returns a verifier for a PEM public key; see [LoadVerifier].
func ParseVerifier(pemBytes []byte, opts KeyOptions) (signature.Verifier, error) {
	pub, err := ParsePublicKey(pemBytes)
	if err != nil {
		return nil, err
	}
	return NewVerifier(pub, opts)
}

// NewVerifier returns a verifier for pub with the scheme opts selects, after
// checking pub is an accepted key type and size (see [ParsePublicKey]).
func NewVerifier(pub crypto.PublicKey, opts KeyOptions) (signature.Verifier, error) {
	if err := blob.CheckPublicKey(pub); err != nil {
		return nil, err
	}
	lo, err := loadOptions(opts)
	if err != nil {
		return nil, err
	}
	v, err := signature.LoadVerifierWithOpts(pub, lo...)
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	return v, nil
}

// ParsePublicKey decodes the first PEM block of pemBytes as a public key
// ("PUBLIC KEY", "RSA PUBLIC KEY", or a "CERTIFICATE"'s key) and checks it is
// an accepted key type and size. It is [blob.ParsePublicKey].
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) { return blob.ParsePublicKey(pemBytes) }

// KeyID returns the DSSE key ID shipgate writes for a public key:
// "SHA256:" and the unpadded base64 SHA-256 of the key's SSH wire encoding, the
// form go-securesystemslib (and so cosign) computes for a key without an
// explicit ID, and the one ssh-keygen -l prints.
func KeyID(pub crypto.PublicKey) (string, error) {
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", wrapError(ErrKey, err)
	}
	return ssh.FingerprintSHA256(sp), nil
}

func isEncryptedPEM(b []byte) bool {
	block, _ := pem.Decode(b)
	if block == nil {
		return false
	}
	if strings.Contains(block.Type, "ENCRYPTED") {
		return true
	}
	return strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED")
}
