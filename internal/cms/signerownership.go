package cms

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/signing"
)

// Ownership attributes the bytes of a SignedData with one signer whose
// first timestamp token (the first value of its first timestamp-token
// attribute) is the one verified, as Apple's code signatures and xar
// package signatures are: what the parser found unowned, what the token
// holds unowned (all of it, past MaxUnverifiedSigned, when it does not
// verify), unsigned attributes nobody reads, and certificates no verified
// chain uses. Callers fill it as they verify, then turn [Ownership.Regions]
// into findings.
type Ownership struct {
	// SD is the signature whose bytes are attributed.
	SD *SignedData
	// Chains are the chains verified with SD's certificates; they are
	// judged (see [SignedData.UnusedCertificates]) only once
	// JudgeCertificates is set: no signer certificate, no judgement of
	// the rest.
	Chains            [][]*x509.Certificate
	JudgeCertificates bool
	// Nested are the regions found inside nested structures and
	// attributes, at offsets of SD.DER.
	Nested Nested
}

// UnsignedAttrs records the signer's unsigned attributes other than the
// one timestamp token verified (the first value of the first
// timestamp-token attribute): nothing reads a second token, a second value
// or another attribute, so their bytes are covered by nothing: each value,
// and the type of every attribute but the token's (an OID's arcs, and an
// empty set of values, can carry data too).
func (o *Ownership) UnsignedAttrs(si *SignerInfo) {
	seen := false // the first timestamp-token attribute, the one verified
	for _, a := range si.UnsignedAttrs {
		token := a.Type.Equal(OIDAttrTimeStampToken) && !seen
		if token {
			seen = true
		} else {
			o.attrType(a)
		}
		for k, v := range a.Values {
			if token && k == 0 {
				continue
			}
			off, ok := o.SD.OffsetOf(v)
			if !ok {
				continue
			}
			r := Region{Offset: off, Len: len(v), Payload: len(v) > MaxToleratedRegion,
				Reason: fmt.Sprintf("value %d of unsigned attribute %s, which nothing reads", k, a.Type)}
			o.Nested.Unowned = append(o.Nested.Unowned, r)
		}
	}
}

// attrType records the OID of a's type as unowned: its arcs are free, so
// they can spell data as values do.
func (o *Ownership) attrType(a Attribute) {
	off, ok := o.SD.OffsetOf(a.Raw)
	in, seq := cryptobyte.String(a.Raw), cryptobyte.String(nil)
	oid, err := asn1.Marshal(a.Type)
	if !ok || err != nil || !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return
	}
	h := len(a.Raw) - len(seq) // the SEQUENCE's header; the OID follows
	if h+len(oid) > len(a.Raw) {
		return
	}
	o.Nested.Unowned = append(o.Nested.Unowned, Region{Offset: off + h, Len: len(oid), Payload: len(oid) > MaxToleratedRegion,
		Reason: fmt.Sprintf("type of unsigned attribute %s (%d values), which nothing reads", a.Type, len(a.Values))})
}

// Timestamp records what nobody owns in token (a value of SD), which
// [VerifyTimestampToken] judged as ts: its unowned regions and unused
// certificates, and, when it did not verify, the bytes no signature
// vouches for (see [UnverifiedTimestampRegions]).
func (o *Ownership) Timestamp(token []byte, ts *signing.Timestamp) {
	o.Nested.Add(o.SD, token, TimestampTokenRegions(token, ts))
	if !ts.Verified {
		r, _ := UnverifiedTimestampRegions(token, false, 0, o.SD.Certificates)
		o.Nested.Add(o.SD, token, r)
	}
}

// Regions returns the unowned regions and unused certificates of SD,
// offsets in SD.DER (see [SignedData.InputSpan] for the input's), judged
// together (see [Judge]): those flagged Payload make the signature invalid.
func (o *Ownership) Regions() (unowned, unused []Region) {
	unowned = append(append([]Region(nil), o.SD.Unowned...), o.Nested.Unowned...)
	unused = o.Nested.Unused
	if o.JudgeCertificates {
		unused = append(o.SD.UnusedCertificates(o.Chains...), unused...)
	}
	return Judge(unowned, unused)
}

// Report calls emit for each region [Ownership.Regions] returns, the
// unowned ones first, with the words that name its kind in a finding
// ("unowned", or "unused certificate," when unused), and its offset and
// length in the bytes SD was parsed from. It returns the signature-data
// check they add up to: say is false when there is nothing to say (a clean
// signature), ok false when a region could carry a payload.
func (o *Ownership) Report(emit func(unused bool, what string, r Region, off, n int)) (say, ok bool, detail string) {
	unowned, unused := o.Regions() // small regions add up
	payload, notes := false, 0
	each := func(isUnused bool, what string, rs []Region) {
		for _, r := range rs {
			payload = payload || r.Payload
			if r.Note {
				notes++
			}
			// Apple's BER is re-encoded as DER for parsing: map back to
			// the bytes of the file.
			off, n := o.SD.InputSpan(r.Offset, r.Len)
			emit(isUnused, what, r, off, n)
		}
	}
	each(false, "unowned", unowned)
	each(true, "unused certificate,", unused)
	n := len(unowned) + len(unused)
	switch {
	case payload:
		return true, false, fmt.Sprintf("%d regions of the CMS signature are covered by no signature and large enough to carry a payload", n)
	case n > notes:
		n -= notes
		return true, true, fmt.Sprintf("every byte of the CMS signature is verified or tolerated, except %d small oddities reported as warnings", n)
	}
	return false, true, ""
}

// UnusedCertificateList judges certs, a certificate list kept outside any
// SignedData (a xar signature's KeyInfo), as
// [SignedData.UnusedCertificates] judges a SignedData's: a region for each
// certificate no chain uses or completes, and for each copy of a used one
// beyond the tolerated number. A region's Offset is the index of its
// certificate in certs, its Len the certificate's length.
func UnusedCertificateList(certs []*x509.Certificate, chains ...[]*x509.Certificate) []Region {
	sd := &SignedData{Certificates: certs, CertificateOffsets: make([]int, len(certs))}
	for i := range certs {
		sd.CertificateOffsets[i] = i
	}
	return sd.UnusedCertificates(chains...)
}
