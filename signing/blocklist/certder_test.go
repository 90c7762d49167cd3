package blocklist

import (
	"crypto/x509"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certParts returns the TBSCertificate and signature algorithm elements of
// the DER certificate raw, for a test that makes another certificate of
// them.
func certParts(t *testing.T, raw []byte) (tbs, alg []byte) {
	t.Helper()
	in := cryptobyte.String(raw)
	var body, tb, al cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Element(&tb, cbasn1.SEQUENCE) || !body.ReadASN1Element(&al, cbasn1.SEQUENCE) {
		t.Fatal("certificate does not parse")
	}
	return tb, al
}

// joinCert returns the certificate of tbs, alg and the signature sig,
// failing t, with what naming it, when it does not parse.
func joinCert(t *testing.T, tbs, alg, sig []byte, what string) *x509.Certificate {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
	})
	c, err := x509.ParseCertificate(b.BytesOrPanic())
	if err != nil {
		t.Fatalf("%s does not parse: %v", what, err)
	}
	return c
}
