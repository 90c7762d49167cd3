// Package cms parses and verifies the CMS (PKCS#7) SignedData structures that
// Authenticode, Apple code signatures and RFC 3161 time-stamp tokens are built
// on. It keeps the raw encodings a verifier needs (signed attributes as signed,
// every value of every attribute, the bytes a messageDigest covers) and accepts
// BER, since Apple's signatures use indefinite lengths.
//
// It checks digests and signatures; trust (chains, usages, times) is decided
// with signing.TrustStore.
package cms

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignedData is a parsed CMS ContentInfo holding SignedData.
type SignedData struct {
	// Version is the SignedData version.
	Version int
	// DigestAlgorithms lists the digest algorithm OIDs the SignedData announces.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is eContentType.
	ContentType asn1.ObjectIdentifier
	// RawContent is the complete DER element inside eContent [0], nil when the
	// signature is detached.
	RawContent []byte
	// Content is the contents octets of that element: the bytes a
	// messageDigest attribute covers. For an OCTET STRING that is the data
	// itself; for PKCS#7 v1.5 content such as Authenticode's
	// SpcIndirectDataContent it is the SEQUENCE's value without tag and length.
	Content []byte
	// Certificates are the certificates embedded in the SignedData, in order.
	// Entries that fail to parse, or are not X.509 certificates (attribute
	// certificates, other choices), are skipped and counted in
	// BadCertificates; they are listed in Unowned, except attribute
	// certificates, which UnusedCertificates judges by who signed them.
	Certificates    []*x509.Certificate
	BadCertificates int
	// CertificateOffsets[i] is the offset in DER of Certificates[i], whose
	// encoding is Certificates[i].Raw.
	CertificateOffsets []int
	// Signers are the SignerInfos, in order.
	Signers []*SignerInfo
	// Len is how many bytes of the input the ContentInfo used; bytes after it
	// are not part of the signature.
	Len int
	// DER is the ContentInfo re-encoded as DER.
	DER []byte
	// Unowned lists the byte ranges of DER that no verified field owns, in
	// offset order: the crls field, certificate entries that are not parsed
	// X.509 certificates, digestAlgorithms entries no signer uses (or that
	// repeat an earlier one), and
	// AlgorithmIdentifier parameters where only NULL or
	// nothing belongs (those of each SignerInfo included, moved to DER
	// offsets). No signature covers these bytes. Whether the remaining
	// certificates are used is the caller's to say; see
	// [SignedData.UnusedCertificates].
	Unowned []Region

	// spans maps DER offsets to input offsets for BER input; nil for DER.
	spans []span
	// attrCerts are the attribute certificates of the certificate set,
	// judged by UnusedCertificates.
	attrCerts []attrCert
}

// Region is a byte range of a CMS encoding that nothing verified owns.
//
// Offset counts from the start of the encoding the region was found in:
// SignedData.DER, or SignerInfo.Raw. For DER input, which Authenticode always
// is, DER is a copy of the input's first Len bytes, so offsets are offsets in
// the input. For BER input (Apple's indefinite lengths) DER is a
// re-encoding: offsets and lengths are those of the DER form, and since BER
// headers are longer, they point a few bytes per enclosing element
// before the same bytes in the input; [SignedData.InputSpan] maps them back.
type Region struct {
	Offset int
	Len    int
	// Reason names what the bytes are and why nobody owns them.
	Reason string
	// Payload reports that the region is large enough to carry a payload:
	// more than MaxToleratedRegion bytes, or an unused certificate that is
	// large (see [SignedData.UnusedCertificates]). Verifiers treat a payload as
	// tampering and a smaller region as an oddity worth a warning.
	Payload bool
	// Unused reports that the region is a parsed certificate no chain uses
	// (from [SignedData.UnusedCertificates]), rather than bytes no field
	// owns.
	Unused bool
	// Note reports that the region is a tolerated structure that no
	// signature covers (a time-stamp server's attribute certificate, see
	// MaxToleratedAttrCert): verifiers report it as a note, so its bytes
	// are accounted for, and [Judge] counts it in no total.
	Note bool
}

// MaxToleratedRegion is the size up to which an unowned region is reported
// as an oddity rather than a payload carrier: a stray empty crls field (2
// bytes) or a doubled NULL is sloppy encoding, while anything past a hash's
// worth of bytes can hold a key, a URL or a configuration.
const MaxToleratedRegion = 16

func newRegion(off, n int, format string, args ...any) Region {
	return Region{Offset: off, Len: n, Reason: fmt.Sprintf(format, args...), Payload: n > MaxToleratedRegion}
}

// offsetIn returns where sub starts inside base, when sub is a non-empty
// subslice of base (cryptobyte reads share the input's array, so the
// difference of capacities is the offset).
func offsetIn(base, sub []byte) (int, bool) {
	off := cap(base) - cap(sub)
	if len(sub) == 0 || off < 0 || off+len(sub) > len(base) || &base[off] != &sub[0] {
		return 0, false
	}
	return off, true
}

// OffsetOf returns the offset in DER of b, which must be a slice of DER as
// the parser returned it (an attribute value, a certificate's Raw, a
// SignerInfo's Raw); ok is false otherwise.
func (sd *SignedData) OffsetOf(b []byte) (off int, ok bool) { return offsetIn(sd.DER, b) }

// OffsetOf returns the offset in Raw of b, a slice of Raw such as an
// attribute value; ok is false otherwise.
func (si *SignerInfo) OffsetOf(b []byte) (off int, ok bool) { return offsetIn(si.Raw, b) }

// SignerInfo is one CMS SignerInfo.
type SignerInfo struct {
	// Raw is the DER of the whole SignerInfo.
	Raw     []byte
	Version int
	// IssuerRaw and Serial identify the signer certificate when the signer
	// identifier is IssuerAndSerialNumber; SubjectKeyID when it is [0].
	IssuerRaw    []byte
	Serial       *big.Int
	SubjectKeyID []byte
	// DigestAlgorithm is the digest algorithm OID and Hash its hash (0 when
	// unknown).
	DigestAlgorithm asn1.ObjectIdentifier
	Hash            crypto.Hash
	// SignedAttrs are the signed attributes; RawSignedAttrs is their DER as
	// signed, with the SET OF tag (0x31) that the signature covers.
	SignedAttrs    []Attribute
	RawSignedAttrs []byte
	// SignatureAlgorithm is the signature algorithm OID with its parameters.
	SignatureAlgorithm       asn1.ObjectIdentifier
	SignatureAlgorithmParams []byte
	// Signature is the signature value ("encryptedDigest" in PKCS#7).
	Signature []byte
	// UnsignedAttrs are the unsigned attributes: nobody signed these bytes.
	// RawUnsignedAttrs is their whole [1] element, a slice of Raw, nil when
	// absent.
	UnsignedAttrs    []Attribute
	RawUnsignedAttrs []byte
	// Unowned lists the ranges of Raw that no field owns: parameters of the
	// digest or signature AlgorithmIdentifier other than NULL or nothing
	// (RSASSA-PSS parameters excepted, which the signature check reads).
	Unowned []Region
}

// Attribute is a CMS attribute with every value of its SET.
type Attribute struct {
	// Raw is the DER of the whole Attribute SEQUENCE, type and values.
	Raw  []byte
	Type asn1.ObjectIdentifier
	// Values holds the DER of each value.
	Values [][]byte
}

// Attr returns the signed attribute of type oid, or nil.
func (si *SignerInfo) Attr(oid asn1.ObjectIdentifier) *Attribute {
	return findAttr(si.SignedAttrs, oid)
}

// UnsignedAttr returns the first unsigned attribute of type oid, or nil.
func (si *SignerInfo) UnsignedAttr(oid asn1.ObjectIdentifier) *Attribute {
	return findAttr(si.UnsignedAttrs, oid)
}

func findAttr(attrs []Attribute, oid asn1.ObjectIdentifier) *Attribute {
	for i := range attrs {
		if attrs[i].Type.Equal(oid) {
			return &attrs[i]
		}
	}
	return nil
}

// Parse parses a CMS ContentInfo holding SignedData from the start of b. Bytes
// after the ContentInfo are ignored and reported through SignedData.Len; bytes
// inside it that no field owns (after the SignedData, after signerInfos, after
// eContent, inside a SignerInfo or an Attribute) are an error, since no digest
// covers them and no padding check would see them. Bytes inside it that are
// well-formed but owned by nothing verified (crls, entries that are not
// certificates, odd algorithm parameters) are listed in SignedData.Unowned.
// Only the first MaxSize bytes of b are read.
func Parse(b []byte) (*SignedData, error) {
	der, used, err := berToDER(b)
	if err != nil {
		return nil, err
	}
	if len(der) != used || string(der) != string(b[:used]) {
		// BER: its choices that DER drops are seen by nothing below.
		if slack, _, err := berSlack(b[:used], 0, 0, false); err != nil {
			return nil, err
		} else if slack > MaxToleratedRegion {
			return nil, errAt(0, "BER encoding carries %d bytes that its DER form drops (length octets beyond the minimal form, empty OCTET STRING fragments), more than %d: no signature or check sees them", slack, MaxToleratedRegion)
		}
	}
	sd, err := parseContentInfo(der)
	if err != nil {
		return nil, err
	}
	sd.Len = used
	sd.DER = der
	if len(der) != used || string(der) != string(b[:used]) {
		sd.spans = mapSpans(b[:used], der)
	}
	return sd, nil
}

func parseContentInfo(der []byte) (*SignedData, error) {
	in := cryptobyte.String(der)
	var ci, body cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ctype) {
		return nil, errAt(0, "not a CMS ContentInfo")
	}
	if !ctype.Equal(OIDSignedData) {
		return nil, errAt(0, "content type %s is not SignedData", ctype)
	}
	if !ci.ReadASN1(&body, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errAt(0, "ContentInfo without content")
	}
	if !ci.Empty() {
		// Nothing covers bytes here: they would be a hiding place inside the
		// signature blob that no digest or padding check sees.
		return nil, errAt(0, "trailing data inside ContentInfo")
	}
	return parseSignedData(der, body, len(der)-len(body))
}

// parseSignedData parses the SignedData in body, the content of the
// ContentInfo der from offset base, field by field in the order RFC 5652
// 5.1 gives them.
func parseSignedData(der []byte, body cryptobyte.String, base int) (*SignedData, error) {
	var sdSeq cryptobyte.String
	if !body.ReadASN1(&sdSeq, cbasn1.SEQUENCE) {
		return nil, errAt(base, "SignedData is not a SEQUENCE")
	}
	if !body.Empty() {
		return nil, errAt(base, "trailing data after SignedData")
	}
	sd := &SignedData{}
	var v int64
	if !sdSeq.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return nil, errAt(base, "SignedData version missing")
	}
	sd.Version = int(v)
	algElems, err := sd.readDigestAlgorithms(der, &sdSeq, base)
	if err != nil {
		return nil, err
	}
	if err := sd.readEncapContent(&sdSeq, base); err != nil {
		return nil, err
	}
	if err := sd.readCertificates(der, &sdSeq, base); err != nil {
		return nil, err
	}
	if err := sd.readCRLs(der, &sdSeq, base); err != nil {
		return nil, err
	}
	if err := sd.readSignerInfos(der, &sdSeq, base); err != nil {
		return nil, err
	}
	if !sdSeq.Empty() {
		return nil, errAt(base, "trailing data inside SignedData")
	}
	sd.markUnusedDigestAlgorithms(der, algElems)
	slices.SortStableFunc(sd.Unowned, func(a, b Region) int { return a.Offset - b.Offset })
	return sd, nil
}

// readDigestAlgorithms reads the digestAlgorithms SET from s into
// sd.DigestAlgorithms, listing parameters other than NULL or nothing as
// unowned, and returns each entry's whole encoding for
// markUnusedDigestAlgorithms.
func (sd *SignedData) readDigestAlgorithms(der []byte, s *cryptobyte.String, base int) ([][]byte, error) {
	var algs cryptobyte.String
	if !s.ReadASN1(&algs, cbasn1.SET) {
		return nil, errAt(base, "SignedData digestAlgorithms missing")
	}
	var algElems [][]byte
	for !algs.Empty() {
		var a, elem cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !algs.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
			return nil, errAt(base, "bad digest AlgorithmIdentifier")
		}
		whole := []byte(elem)
		if !elem.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) {
			return nil, errAt(base, "bad digest AlgorithmIdentifier")
		}
		if r, bad := nullParams(der, a, "digestAlgorithms entry "+oid.String()); bad {
			sd.Unowned = append(sd.Unowned, r)
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, oid)
		algElems = append(algElems, whole)
	}
	return algElems, nil
}

// readEncapContent reads encapContentInfo from s: the content type and,
// unless the signature is detached, the eContent element and its contents
// octets.
func (sd *SignedData) readEncapContent(s *cryptobyte.String, base int) error {
	var eci cryptobyte.String
	if !s.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&sd.ContentType) {
		return errAt(base, "bad encapContentInfo")
	}
	if eci.Empty() {
		return nil
	}
	var explicit cryptobyte.String
	if !eci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return errAt(base, "bad eContent")
	}
	var elem cryptobyte.String
	var tag cbasn1.Tag
	var hdr int
	if !explicit.ReadAnyASN1Element(&elem, &tag) || !explicit.Empty() || !eci.Empty() {
		return errAt(base, "bad eContent element")
	}
	raw := []byte(elem)
	var content cryptobyte.String
	cs := cryptobyte.String(raw)
	if !cs.ReadAnyASN1(&content, &tag) {
		return errAt(base, "bad eContent element")
	}
	hdr = len(raw) - len(content)
	sd.RawContent = raw
	sd.Content = raw[hdr:]
	return nil
}

// readCertificates reads the optional certificates [0] field from s: X.509
// certificates into sd.Certificates, attribute certificates aside, and
// entries that are neither, or do not parse, counted and listed as
// unowned.
func (sd *SignedData) readCertificates(der []byte, s *cryptobyte.String, base int) error {
	var certs cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return errAt(base, "bad certificates field")
	}
	for present && !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return errAt(base, "bad certificate entry")
		}
		off, _ := offsetIn(der, c)
		if tag != cbasn1.SEQUENCE {
			// Attribute certificates and other choices are not X.509
			// certificates. An attribute certificate is owned once a
			// certificate on a verified chain is found to have signed it
			// (UnusedCertificates); anything else is covered by nothing.
			sd.BadCertificates++
			if ac, err := parseAttrCert(c, off); err == nil {
				sd.attrCerts = append(sd.attrCerts, ac)
				continue
			}
			sd.Unowned = append(sd.Unowned, newRegion(off, len(c), "certificates entry with tag [%d] is not an X.509 certificate", int(tag&0x1f)))
			continue
		}
		cert, err := parsedCerts.parse(c)
		if err != nil {
			sd.BadCertificates++
			sd.Unowned = append(sd.Unowned, newRegion(off, len(c), "certificates entry does not parse (%v)", err))
			continue
		}
		sd.Certificates = append(sd.Certificates, cert)
		sd.CertificateOffsets = append(sd.CertificateOffsets, off)
	}
	return nil
}

// readCRLs reads the optional crls [1] field from s and lists it as
// unowned: revocation data nobody reads, since no check here consults it,
// so its bytes are covered by nothing.
func (sd *SignedData) readCRLs(der []byte, s *cryptobyte.String, base int) error {
	if !s.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil
	}
	var crls cryptobyte.String
	if !s.ReadASN1Element(&crls, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return errAt(base, "bad crls field")
	}
	off, _ := offsetIn(der, crls)
	sd.Unowned = append(sd.Unowned, newRegion(off, len(crls), "crls field: revocation data no check reads"))
	return nil
}

// readSignerInfos reads the signerInfos SET from s into sd.Signers, moving
// the unowned regions of each SignerInfo to sd.Unowned at their offsets in
// der.
func (sd *SignedData) readSignerInfos(der []byte, s *cryptobyte.String, base int) error {
	var sis cryptobyte.String
	if !s.ReadASN1(&sis, cbasn1.SET) {
		return errAt(base, "signerInfos missing")
	}
	for !sis.Empty() {
		var raw cryptobyte.String
		var tag cbasn1.Tag
		if !sis.ReadAnyASN1Element(&raw, &tag) || tag != cbasn1.SEQUENCE {
			return errAt(base, "bad SignerInfo")
		}
		si, err := ParseSignerInfo(raw)
		if err != nil {
			return err
		}
		off, _ := offsetIn(der, raw)
		for _, r := range si.Unowned {
			r.Offset += off
			sd.Unowned = append(sd.Unowned, r)
		}
		sd.Signers = append(sd.Signers, si)
	}
	return nil
}

// markUnusedDigestAlgorithms lists as unowned each announced digest
// algorithm, whose whole encoding is algElems[i], that no signer uses or
// that repeats an earlier entry: it is read by nobody, and an OID's arcs
// can encode any bytes.
func (sd *SignedData) markUnusedDigestAlgorithms(der []byte, algElems [][]byte) {
	var announced []asn1.ObjectIdentifier // the used entries so far
	for i, oid := range sd.DigestAlgorithms {
		why := ""
		switch {
		case !slices.ContainsFunc(sd.Signers, func(si *SignerInfo) bool { return sameDigest(oid, si.DigestAlgorithm) }):
			why = "digestAlgorithms entry %s, which no signer uses"
		case slices.ContainsFunc(announced, func(a asn1.ObjectIdentifier) bool { return sameDigest(a, oid) }):
			// Repeats are read by nobody either: their number and
			// encodings (NULL or absent parameters) could spell data.
			why = "digestAlgorithms entry %s, a repeat of one announced before"
		default:
			announced = append(announced, oid)
			continue
		}
		off, _ := offsetIn(der, algElems[i])
		end := off + len(algElems[i])
		// The entry's own parameters are inside it: one finding.
		sd.Unowned = slices.DeleteFunc(sd.Unowned, func(r Region) bool { return r.Offset >= off && r.Offset+r.Len <= end })
		sd.Unowned = append(sd.Unowned, newRegion(off, len(algElems[i]), why, oid))
	}
}

// sameDigest reports whether two digest algorithm identifiers name the same
// hash (signers sometimes put a signature algorithm OID in the digest
// position; HashByOID maps both).
func sameDigest(a, b asn1.ObjectIdentifier) bool {
	if a.Equal(b) {
		return true
	}
	ha, okA := HashByOID(a)
	hb, okB := HashByOID(b)
	return okA && okB && ha == hb
}

// ParseSignerInfo parses one DER SignerInfo, such as the value of a legacy
// PKCS#9 counterSignature attribute; nothing may follow it. A
// subjectKeyIdentifier signer identifier must not be empty.
func ParseSignerInfo(der []byte) (*SignerInfo, error) {
	si := &SignerInfo{Raw: der}
	in := cryptobyte.String(der)
	var s cryptobyte.String
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errAt(0, "SignerInfo is not a SEQUENCE")
	}
	var v int64
	if !s.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return nil, errAt(0, "SignerInfo version missing")
	}
	si.Version = int(v)
	var sid cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&sid, &tag) {
		return nil, errAt(0, "SignerInfo sid missing")
	}
	switch tag {
	case cbasn1.SEQUENCE:
		var ias, issuer cryptobyte.String
		si.Serial = new(big.Int)
		if !sid.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(si.Serial) || !ias.Empty() || !sid.Empty() {
			return nil, errAt(0, "bad IssuerAndSerialNumber")
		}
		si.IssuerRaw = issuer
	case cbasn1.Tag(0).ContextSpecific():
		var ski cryptobyte.String
		if !sid.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) || len(ski) == 0 {
			return nil, errAt(0, "bad SubjectKeyIdentifier")
		}
		si.SubjectKeyID = ski
	default:
		return nil, errAt(0, "unknown signer identifier tag %d", int(tag))
	}
	var alg cryptobyte.String
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&si.DigestAlgorithm) {
		return nil, errAt(0, "bad digestAlgorithm")
	}
	if r, bad := nullParams(der, alg, "SignerInfo digestAlgorithm "+si.DigestAlgorithm.String()); bad {
		si.Unowned = append(si.Unowned, r)
	}
	si.Hash, _ = HashByOID(si.DigestAlgorithm)
	var sattrs cryptobyte.String
	var present bool
	if s.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var elem cryptobyte.String
		if !s.ReadASN1Element(&elem, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, errAt(0, "bad signedAttrs")
		}
		// The signature covers the attributes encoded with the SET OF tag.
		si.RawSignedAttrs = append([]byte{0x31}, elem[1:]...)
		e := cryptobyte.String(elem)
		e.ReadASN1(&sattrs, cbasn1.Tag(0).Constructed().ContextSpecific())
		attrs, err := parseAttributes(sattrs)
		if err != nil {
			return nil, err
		}
		si.SignedAttrs = attrs
	}
	var salg cryptobyte.String
	if !s.ReadASN1(&salg, cbasn1.SEQUENCE) || !salg.ReadASN1ObjectIdentifier(&si.SignatureAlgorithm) {
		return nil, errAt(0, "bad signatureAlgorithm")
	}
	si.SignatureAlgorithmParams = salg
	// RSASSA-PSS parameters are meaningful, and pssParams reads every byte
	// of them when the signature is checked.
	if !si.SignatureAlgorithm.Equal(oidRSAPSS) {
		if r, bad := nullParams(der, salg, "SignerInfo signatureAlgorithm "+si.SignatureAlgorithm.String()); bad {
			si.Unowned = append(si.Unowned, r)
		}
	}
	var sig cryptobyte.String
	if !s.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, errAt(0, "bad signature value")
	}
	si.Signature = sig
	var uattrs cryptobyte.String
	if s.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var elem cryptobyte.String
		if !s.ReadASN1Element(&elem, cbasn1.Tag(1).Constructed().ContextSpecific()) {
			return nil, errAt(0, "bad unsignedAttrs")
		}
		si.RawUnsignedAttrs = elem
		elem.ReadASN1(&uattrs, cbasn1.Tag(1).Constructed().ContextSpecific())
		present = true
	}
	if present {
		attrs, err := parseAttributes(uattrs)
		if err != nil {
			return nil, err
		}
		si.UnsignedAttrs = attrs
	}
	if !s.Empty() {
		return nil, errAt(0, "trailing data inside SignerInfo")
	}
	return si, nil
}

// nullParams judges the parameters left in alg after its OID: nothing or a
// single NULL belongs there (RFC 5754 §2, RFC 3370 §2.1 and §3.2, RFC 5758
// §3.2, RFC 8419); anything else is a region of base nobody reads.
func nullParams(base []byte, alg cryptobyte.String, what string) (Region, bool) {
	if len(alg) == 0 || (len(alg) == 2 && alg[0] == 0x05 && alg[1] == 0x00) {
		return Region{}, false
	}
	off, _ := offsetIn(base, alg)
	return newRegion(off, len(alg), "parameters of %s other than NULL or absent", what), true
}

func parseAttributes(s cryptobyte.String) ([]Attribute, error) {
	var out []Attribute
	for !s.Empty() {
		var raw, a, set cryptobyte.String
		var at Attribute
		if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, errAt(0, "bad attribute")
		}
		at.Raw = raw
		if !raw.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&at.Type) || !a.ReadASN1(&set, cbasn1.SET) || !a.Empty() {
			return nil, errAt(0, "bad attribute")
		}
		for !set.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadAnyASN1Element(&v, &tag) {
				return nil, fmt.Errorf("cms: bad value of attribute %s", at.Type)
			}
			at.Values = append(at.Values, v)
		}
		out = append(out, at)
	}
	return out, nil
}
