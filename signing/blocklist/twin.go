package blocklist

import (
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/signing"
)

// ecdsaCurves are the curves whose group orders an issuer's ECDSA
// signature may be taken modulo: those crypto/x509 verifies with.
var ecdsaCurves = []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()}

// twinThumbprints returns the SHA-1 and SHA-256 thumbprints (lowercase hex)
// of the certificates that differ from id's only in the s of its issuer's
// ECDSA signature, replaced by n−s for the order n of each curve the
// issuer may use: (r, n−s) verifies wherever (r, s) does, so anyone can
// make such a twin of a public certificate, with the same TBSCertificate
// and chain and another thumbprint. A thumbprint entry names the
// certificate, not one encoding of its signature, and matches the twins
// too. Certificates not signed with ECDSA have none.
func twinThumbprints(id *signing.Identity) (sha1s, sha256s []string) {
	c := id.Certificate
	if c == nil {
		return nil, nil
	}
	switch c.SignatureAlgorithm {
	case x509.ECDSAWithSHA1, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
	default:
		return nil, nil
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(c.Signature, &sig); err != nil || len(rest) != 0 || sig.S.Sign() <= 0 {
		return nil, nil
	}
	in := cryptobyte.String(c.Raw)
	var body, tbs, alg cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !body.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, nil
	}
	for _, curve := range ecdsaCurves {
		n := curve.Params().N
		if sig.S.Cmp(n) >= 0 {
			continue
		}
		der, err := asn1.Marshal(struct{ R, S *big.Int }{sig.R, new(big.Int).Sub(n, sig.S)})
		if err != nil {
			continue
		}
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(tbs)
			b.AddBytes(alg)
			b.AddASN1BitString(der)
		})
		twin, err := b.Bytes()
		if err != nil {
			continue
		}
		s1, s256 := sha1.Sum(twin), sha256.Sum256(twin)
		sha1s = append(sha1s, hex.EncodeToString(s1[:]))
		sha256s = append(sha256s, hex.EncodeToString(s256[:]))
	}
	return sha1s, sha256s
}
