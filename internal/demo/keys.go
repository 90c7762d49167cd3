package demo

import (
	"crypto/x509"
	"encoding/pem"

	"github.com/shipgate/shipgate/internal/testpki"
)

// The attestation key is a fixed P-256 demo key: it protects nothing.
func attestKeyPEM() []byte {
	k := testpki.Key(testpki.ECDSA, 2)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func attestPubPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(testpki.Key(testpki.ECDSA, 2).Public())
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
