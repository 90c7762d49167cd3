package testpki

import (
	"bytes"
	"encoding/asn1"
	"errors"
)

// Range is a half-open byte range [Start, End).
type Range struct{ Start, End int }

// Contains reports whether i lies in r.
func (r Range) Contains(i int) bool { return i >= r.Start && i < r.End }

// CMSSignedRanges returns where, in a DER CMS SignedData, the bytes lie
// that a verifier must find changed: the first signer's signed attributes
// and signature value, and the signer's certificate (leaf, as its DER).
// The rest of a CMS (the version, the digest algorithm set, other
// certificates, the signer's issuer and serial, unsigned attributes such
// as a timestamp token) is covered by no signature, so tests that flip
// bytes one by one use these ranges to tell a missed change from an
// unsigned byte.
func CMSSignedRanges(der, leaf []byte) ([]Range, error) {
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, err
	}
	elems, err := children(ci.Content.Bytes)
	if err != nil || len(elems) == 0 {
		return nil, errors.New("testpki: no SignedData")
	}
	sd, err := children(elems[0].Bytes)
	if err != nil || len(sd) == 0 {
		return nil, errors.New("testpki: SignedData does not parse")
	}
	infos, err := children(sd[len(sd)-1].Bytes) // signerInfos, the last field
	if err != nil || len(infos) == 0 {
		return nil, errors.New("testpki: no SignerInfo")
	}
	fields, err := children(infos[0].Bytes)
	if err != nil {
		return nil, err
	}
	var out []Range
	for _, f := range fields {
		signedAttrs := f.Class == asn1.ClassContextSpecific && f.Tag == 0
		if signedAttrs || (f.Class == asn1.ClassUniversal && f.Tag == asn1.TagOctetString) {
			out = append(out, rangeOf(der, f.FullBytes))
		}
	}
	if i := bytes.Index(der, leaf); i >= 0 && len(leaf) > 0 {
		out = append(out, Range{i, i + len(leaf)})
	}
	if len(out) != 3 {
		return nil, errors.New("testpki: signed attributes, signature or signer certificate not found")
	}
	return out, nil
}

// children splits DER content into its elements.
func children(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

// rangeOf locates sub, a subslice of der, by its position in der's memory.
func rangeOf(der, sub []byte) Range {
	i := cap(der) - cap(sub)
	return Range{i, i + len(sub)}
}
