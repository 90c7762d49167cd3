package cms

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// maxNonceBytes is the longest nonce value of a time-stamp token that is
// taken for a random number: RFC 3161's example is 64 bits, signtool and
// OpenSSL send 64, NuGet 256 (33 bytes with a sign byte).
const maxNonceBytes = 33

// tstNonceRegion returns the nonce of the TSTInfo that sd (a time-stamp
// token) carries as a region of the token's DER when its value is longer
// than maxNonceBytes, nil otherwise. The authority signs the nonce but the
// requester chooses it, so anyone can ask a public authority for a token
// over a signature whose nonce spells their data.
func tstNonceRegion(sd *SignedData) []Region {
	in := cryptobyte.String(sd.Content)
	var s cryptobyte.String
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) ||
		!s.SkipASN1(cbasn1.INTEGER) || !s.SkipASN1(cbasn1.OBJECT_IDENTIFIER) || !s.SkipASN1(cbasn1.SEQUENCE) ||
		!s.SkipASN1(cbasn1.INTEGER) || !s.SkipASN1(cbasn1.GeneralizedTime) ||
		!s.SkipOptionalASN1(cbasn1.SEQUENCE) || !s.SkipOptionalASN1(cbasn1.BOOLEAN) || !s.PeekASN1Tag(cbasn1.INTEGER) {
		return nil
	}
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.INTEGER) {
		return nil
	}
	val := elem
	var n cryptobyte.String
	if !val.ReadASN1(&n, cbasn1.INTEGER) || len(n) <= maxNonceBytes {
		return nil
	}
	off, _ := sd.OffsetOf(elem)
	return []Region{newRegion(off, len(elem), "the time-stamp token's nonce holds %d bytes: the requester chooses it, and past a 256-bit random number it is room for data", len(n))}
}
