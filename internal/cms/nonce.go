package cms

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tstNonceRegion returns the nonce of the TSTInfo that sd (a time-stamp
// token) carries as a region of the token's DER when its value is longer
// than MaxToleratedRegion bytes, nil otherwise. The authority signs the
// nonce but the requester chooses it, so anyone can ask a public authority
// for a token over a signature whose nonce spells their data: RFC 3161
// asks for a random number (its example is 64 bits; signtool, OpenSSL and
// osslsigncode send 64), and past 128 bits it is room for a payload.
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
	if !val.ReadASN1(&n, cbasn1.INTEGER) || len(n) <= MaxToleratedRegion {
		return nil
	}
	off, _ := sd.OffsetOf(elem)
	return []Region{newRegion(off, len(elem), "the time-stamp token's nonce holds %d bytes: the requester chooses it, and past a 128-bit random number it is room for data", len(n))}
}
