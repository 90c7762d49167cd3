package pefile

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"sort"
	"time"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// Authenticode object identifiers.
var (
	OIDSpcIndirectData    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
	OIDSpcPEImageData     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 15}
	OIDSpcStatementType   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 11}
	OIDSpcSpOpusInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 12}
	OIDIndividualPurpose  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 21}
	OIDNestedSignature    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 4, 1}
	OIDPageHashesSHA1     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 3, 1}
	OIDPageHashesSHA256   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 3, 2}
	OIDRFC3161CounterSign = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}
	OIDCounterSignature   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
)

// PageHashClassID is the SpcSerializedObject class identifier of page hashes.
var PageHashClassID = []byte{0xa6, 0xb5, 0x86, 0xd5, 0xb4, 0xa1, 0x24, 0x66, 0xae, 0x05, 0xa2, 0x17, 0xda, 0x8e, 0x60, 0xd6}

// Stamp asks Sign for a timestamp over the signature value.
type Stamp struct {
	// TSA signs the timestamp (mint it with the timeStamping usage); Chain
	// holds its issuers to embed.
	TSA   *testpki.Cert
	Chain []*testpki.Cert
	// At is the asserted time.
	At time.Time
	// Legacy makes a PKCS#9 counterSignature instead of an RFC 3161 token.
	Legacy bool
	// Hash is the imprint algorithm (SHA-256 when zero).
	Hash crypto.Hash
	// Corrupt stamps other bytes than the signature, so the imprint is wrong.
	Corrupt bool
	// RawRSA makes the legacy countersignature's RSA signature over the bare
	// digest, without the DigestInfo prefix, as Symantec's "Time Stamping
	// Services Signer - G4" did; Windows accepts it.
	RawRSA bool
	// RawCertificates are added, as they are, to an RFC 3161 token's
	// certificate set.
	RawCertificates [][]byte
}

// SignSpec describes an Authenticode signature to make with Sign.
type SignSpec struct {
	// Signer signs; Certs are embedded besides it (issuers, usually).
	Signer *testpki.Cert
	Certs  []*testpki.Cert
	// Hash is the image digest and signer digest algorithm (SHA-256 when zero).
	Hash crypto.Hash
	// PageHashes adds a page-hash table of that algorithm (SHA-1 or SHA-256).
	PageHashes crypto.Hash
	// CorruptPageHashes flips a bit of the first section page's hash.
	CorruptPageHashes bool
	// PageTable, when set, is used verbatim as the PageHashes table.
	PageTable []byte
	// Digest overrides the image digest the signature records.
	Digest []byte
	// SigningTime adds a signingTime attribute when not zero.
	SigningTime time.Time
	// ProgramName fills SpcSpOpusInfo when not empty.
	ProgramName string
	// Stamp adds a timestamp when not nil; AlsoStamp a second one after it
	// (a legacy countersignature beside an RFC 3161 token, say).
	Stamp, AlsoStamp *Stamp
	// Nested are ContentInfo DERs to carry as values of one nested-signature
	// attribute.
	Nested [][]byte
	// Unsigned are extra unsigned attributes.
	Unsigned []testpki.Attr
	// LinkFile overrides the "<<<Obsolete>>>" string of SpcPeImageData.file.
	LinkFile string
	// DataType overrides the SpcIndirectDataContent inner type
	// (SpcPeImageData, 1.3.6.1.4.1.311.2.1.15, when nil).
	DataType asn1.ObjectIdentifier
	// Tweak, when not nil, edits the CMS spec before each signing pass (to
	// add unsigned structures such as crls or extra certificate entries).
	Tweak func(*testpki.CMSSpec)
}

// Sign returns the Authenticode PKCS#7 ContentInfo (DER) for img as s
// describes. img is the image to sign, with or without an old table; attach
// the result with [Attach] and [Entry].
func Sign(img []byte, s SignSpec) ([]byte, error) {
	if s.Signer == nil {
		return nil, errors.New("pefile: no signer")
	}
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	base, err := Unsigned(img)
	if err != nil {
		return nil, err
	}
	digest := s.Digest
	if digest == nil {
		if digest, err = ImageDigest(base, h); err != nil {
			return nil, err
		}
	}
	var link []byte
	if s.PageHashes != 0 {
		// Hash the image as it will be laid out once signed.
		table := s.PageTable
		if table == nil {
			padded := append(append([]byte(nil), base...), make([]byte, pad8(len(base)))...)
			if table, err = PageHashes(padded, s.PageHashes); err != nil {
				return nil, err
			}
		}
		if s.CorruptPageHashes {
			hs := s.PageHashes.Size()
			if len(table) < 2*(4+hs) {
				return nil, errors.New("pefile: page-hash table too short to corrupt")
			}
			table[(4+hs)+4] ^= 1
		}
		link = PageHashLink(s.PageHashes, table)
	} else {
		file := s.LinkFile
		if file == "" {
			file = "<<<Obsolete>>>"
		}
		link = testpki.TLV(0xa2, testpki.TLV(0x80, bmp(file)))
	}
	typ := s.DataType
	if typ == nil {
		typ = OIDSpcPEImageData
	}
	return signIndirect(IndirectDataType(typ, h, digest, link), h, s)
}

// SignDigest returns the Authenticode PKCS#7 ContentInfo (DER) over an image
// digest computed elsewhere, for images too large to hold in memory. Page
// hashes are not supported here.
func SignDigest(digest []byte, s SignSpec) ([]byte, error) {
	if s.Signer == nil {
		return nil, errors.New("pefile: no signer")
	}
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if len(digest) != h.Size() || s.PageHashes != 0 {
		return nil, errors.New("pefile: SignDigest needs a digest of the signing algorithm and no page hashes")
	}
	file := s.LinkFile
	if file == "" {
		file = "<<<Obsolete>>>"
	}
	return signIndirect(IndirectData(h, digest, testpki.TLV(0xa2, testpki.TLV(0x80, bmp(file)))), h, s)
}

func signIndirect(content []byte, h crypto.Hash, s SignSpec) ([]byte, error) {
	return signContentType(OIDSpcIndirectData, content, h, s)
}

// signContentType signs content of the given type (SpcIndirectDataContent,
// or a catalog's CTL) with the Authenticode signed attributes.
func signContentType(typ asn1.ObjectIdentifier, content []byte, h crypto.Hash, s SignSpec) ([]byte, error) {
	if s.Signer == nil {
		return nil, errors.New("pefile: no signer")
	}
	certs := append([]*testpki.Cert{s.Signer}, s.Certs...)
	signed := []testpki.Attr{
		{Type: OIDSpcStatementType, Values: [][]byte{testpki.TLV(0x30, mustMarshal(OIDIndividualPurpose))}},
	}
	if s.ProgramName != "" {
		signed = append(signed, testpki.Attr{Type: OIDSpcSpOpusInfo, Values: [][]byte{
			testpki.TLV(0x30, testpki.TLV(0xa0, testpki.TLV(0x80, bmp(s.ProgramName)))),
		}})
	}
	spec := testpki.CMSSpec{
		ContentType: typ, Content: content, Signer: s.Signer, Certs: certs,
		Hash: h, SigningTime: s.SigningTime, ExtraSigned: signed,
	}
	if s.Tweak != nil {
		s.Tweak(&spec)
	}
	unsigned := append([]testpki.Attr(nil), s.Unsigned...)
	if len(s.Nested) > 0 {
		unsigned = append(unsigned, testpki.Attr{Type: OIDNestedSignature, Values: s.Nested})
	}
	for _, st := range []*Stamp{s.Stamp, s.AlsoStamp} {
		if st == nil {
			continue
		}
		// RSA PKCS#1 v1.5 signatures are deterministic: sign once to learn
		// the signature value, then again with the timestamp attached.
		first, err := cms.Parse(testpki.SignCMS(spec))
		if err != nil || len(first.Signers) != 1 {
			return nil, fmt.Errorf("pefile: parsing own signature: %v", err)
		}
		stamped := first.Signers[0].Signature
		if st.Corrupt {
			stamped = append([]byte("not the signature"), stamped...)
		}
		th := st.Hash
		if th == 0 {
			th = crypto.SHA256
		}
		if st.Legacy {
			cs := st.TSA.Countersign(th, stamped, st.At)
			if st.RawRSA {
				if cs, err = rawCountersign(st.TSA, th, stamped, st.At); err != nil {
					return nil, err
				}
			}
			unsigned = append(unsigned, testpki.Attr{Type: OIDCounterSignature, Values: [][]byte{cs}})
			spec.Certs = append(append(spec.Certs, st.TSA), st.Chain...)
		} else {
			tok := st.TSA.TimestampTokenRaw(th, stamped, st.At, st.RawCertificates, st.Chain...)
			unsigned = append(unsigned, testpki.Attr{Type: OIDRFC3161CounterSign, Values: [][]byte{tok}})
		}
	}
	spec.Unsigned = unsigned
	return testpki.SignCMS(spec), nil
}

// SignAttach signs img and returns it with a one-entry certificate table.
func SignAttach(img []byte, s SignSpec) ([]byte, error) {
	blob, err := Sign(img, s)
	if err != nil {
		return nil, err
	}
	return Attach(img, Entry(blob))
}

// IndirectData encodes SpcIndirectDataContent for a PE image: SpcPeImageData
// with empty flags and the given SpcLink (the [0] EXPLICIT file field's
// content), and the digest as a DigestInfo.
func IndirectData(h crypto.Hash, digest, link []byte) []byte {
	return IndirectDataType(OIDSpcPEImageData, h, digest, link)
}

// IndirectDataType is [IndirectData] with another inner data type than
// SpcPeImageData; the value is still an SpcPeImageData structure, as in
// Debian's fwupdx64.efi.signed, whose type is 1.3.6.1.4.1.311.2.1.21.
func IndirectDataType(typ asn1.ObjectIdentifier, h crypto.Hash, digest, link []byte) []byte {
	peImage := testpki.TLV(0x30, []byte{0x03, 0x01, 0x00}, testpki.TLV(0xa0, link))
	return testpki.TLV(0x30,
		testpki.TLV(0x30, mustMarshal(typ), peImage),
		testpki.TLV(0x30,
			testpki.TLV(0x30, mustMarshal(testpki.HashOID(h)), []byte{0x05, 0x00}),
			testpki.TLV(0x04, digest)),
	)
}

// PageHashLink encodes a page-hash table as an SpcLink moniker
// (SpcSerializedObject with the page-hash class identifier).
func PageHashLink(h crypto.Hash, table []byte) []byte {
	oid := OIDPageHashesSHA256
	if h == crypto.SHA1 {
		oid = OIDPageHashesSHA1
	}
	attr := testpki.TLV(0x30, mustMarshal(oid), testpki.TLV(0x31, testpki.TLV(0x04, table)))
	data := testpki.TLV(0x31, attr)
	return testpki.TLV(0xa1, testpki.TLV(0x04, PageHashClassID), testpki.TLV(0x04, data))
}

func bmp(s string) []byte {
	var out []byte
	for _, r := range utf16.Encode([]rune(s)) {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// rawCountersign builds a legacy countersignature SignerInfo whose RSA
// signature covers the bare digest of the signed attributes.
func rawCountersign(tsa *testpki.Cert, h crypto.Hash, stamped []byte, at time.Time) ([]byte, error) {
	key, ok := tsa.Key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("pefile: raw countersignature needs an RSA key")
	}
	sum := func(b []byte) []byte { w := h.New(); w.Write(b); return w.Sum(nil) }
	attr := func(oid asn1.ObjectIdentifier, v []byte) []byte {
		return testpki.TLV(0x30, mustMarshal(oid), testpki.TLV(0x31, v))
	}
	attrs := [][]byte{
		attr(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}, mustMarshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})),
		attr(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}, mustMarshal(at.UTC())),
		attr(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}, testpki.TLV(0x04, sum(stamped))),
	}
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 })
	set := testpki.TLV(0x31, attrs...)
	sig, err := testpki.SignPKCS1v15(key, 0, sum(set))
	if err != nil {
		return nil, err
	}
	return testpki.TLV(0x30,
		mustMarshal(1),
		testpki.TLV(0x30, tsa.Cert.RawIssuer, mustMarshal(tsa.Cert.SerialNumber)),
		testpki.TLV(0x30, mustMarshal(testpki.HashOID(h)), []byte{0x05, 0x00}),
		append([]byte{0xa0}, set[1:]...),
		testpki.TLV(0x30, mustMarshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}), []byte{0x05, 0x00}),
		testpki.TLV(0x04, sig),
	), nil
}

// OIDSpcSipInfo and OIDSpcCabData type the SpcIndirectDataContent of
// formats other than PE: scripts and MSI databases name a subject interface
// package (SpcSipInfo), cabinets an SpcLink.
var (
	OIDSpcSipInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 30}
	OIDSpcCabData = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 25}
)

// SipIndirectData encodes SpcIndirectDataContent naming a subject interface
// package: SpcSipInfo { version, guid, 0, 0, 0, 0, 0 } and the digest.
func SipIndirectData(version int, guid []byte, h crypto.Hash, digest []byte) []byte {
	sip := testpki.TLV(0x30, mustMarshal(version), testpki.TLV(0x04, guid),
		[]byte{2, 1, 0}, []byte{2, 1, 0}, []byte{2, 1, 0}, []byte{2, 1, 0}, []byte{2, 1, 0})
	return indirect(OIDSpcSipInfo, sip, h, digest)
}

func indirect(typ asn1.ObjectIdentifier, value []byte, h crypto.Hash, digest []byte) []byte {
	return testpki.TLV(0x30,
		testpki.TLV(0x30, mustMarshal(typ), value),
		testpki.TLV(0x30,
			testpki.TLV(0x30, mustMarshal(testpki.HashOID(h)), []byte{0x05, 0x00}),
			testpki.TLV(0x04, digest)),
	)
}

// SignContent returns the Authenticode PKCS#7 ContentInfo (DER) over an
// SpcIndirectDataContent built elsewhere (for scripts, MSI databases,
// cabinets). s.Hash is the signer's digest algorithm; digest-related fields
// of s (PageHashes, Digest, LinkFile, DataType) are ignored.
func SignContent(content []byte, s SignSpec) ([]byte, error) {
	if s.Signer == nil {
		return nil, errors.New("pefile: no signer")
	}
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	return signIndirect(content, h, s)
}
