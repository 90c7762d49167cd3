package authenticode

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/cms"
)

// Authenticode object identifiers.
var (
	oidSpcIndirectData    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
	oidSpcPEImageData     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 15}
	oidNestedSignature    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 4, 1}
	oidPageHashesSHA1     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 3, 1}
	oidPageHashesSHA256   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 3, 2}
	oidRFC3161CounterSign = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 3, 3, 1}
	oidCounterSignature   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
	oidLifetimeSigning    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 13}
	// oidSpcSipInfo types the SpcIndirectDataContent of formats digested by
	// a subject interface package: scripts and MSI databases.
	oidSpcSipInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 30}
	// oidSpcCabData types the SpcIndirectDataContent of cabinets.
	oidSpcCabData = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 25}
)

// oidIndividualPurpose is SPC_INDIVIDUAL_SP_KEY_PURPOSE, a value of the
// SpcStatementType attribute; Debian's fwupdx64.efi.signed names it as the
// SpcIndirectDataContent inner type, with an SpcPeImageData value.
var oidIndividualPurpose = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 21}

// pageHashClassID identifies a page-hash SpcSerializedObject.
var pageHashClassID = []byte{0xa6, 0xb5, 0x86, 0xd5, 0xb4, 0xa1, 0x24, 0x66, 0xae, 0x05, 0xa2, 0x17, 0xda, 0x8e, 0x60, 0xd6}

// indirectData is a parsed SpcIndirectDataContent.
type indirectData struct {
	dataType  asn1.ObjectIdentifier
	value     []byte // the DER after dataType: SpcPeImageData, SpcSipInfo…
	digestOID asn1.ObjectIdentifier
	hash      crypto.Hash // 0 when the algorithm is unknown
	digest    []byte
	// Page hashes carried in SpcPeImageData.file as a moniker.
	pageAlg   crypto.Hash
	pageTable []byte
	hasPages  bool
	pageErr   string // why a page-hash moniker did not parse
}

var errIndirectData = errors.New("SpcIndirectDataContent does not parse")

// parseIndirectData parses the DER of SpcIndirectDataContent:
//
//	SEQUENCE { data SEQUENCE { type OID, value ANY OPTIONAL },
//	           messageDigest SEQUENCE { AlgorithmIdentifier, OCTET STRING } }
func parseIndirectData(der []byte) (*indirectData, error) {
	in := cryptobyte.String(der)
	var seq, data, md, alg cryptobyte.String
	d := &indirectData{}
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&data, cbasn1.SEQUENCE) ||
		!data.ReadASN1ObjectIdentifier(&d.dataType) || !seq.ReadASN1(&md, cbasn1.SEQUENCE) ||
		!md.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&d.digestOID) {
		return nil, errIndirectData
	}
	var dg cryptobyte.String
	if !md.ReadASN1(&dg, cbasn1.OCTET_STRING) {
		return nil, errIndirectData
	}
	d.digest = bytes.Clone(dg)
	d.value = bytes.Clone(data)
	d.hash, _ = cms.HashByOID(d.digestOID)
	if (d.dataType.Equal(oidSpcPEImageData) || d.dataType.Equal(oidIndividualPurpose)) && !data.Empty() {
		d.parsePEImageData(data)
	}
	return d, nil
}

// parsePEImageData looks for page hashes in SpcPeImageData:
//
//	SEQUENCE { flags BIT STRING OPTIONAL, file [0] EXPLICIT SpcLink OPTIONAL }
//	SpcLink ::= CHOICE { url [0], moniker [1] SpcSerializedObject, file [2] }
//	SpcSerializedObject ::= SEQUENCE { classId OCTET STRING, serializedData OCTET STRING }
func (d *indirectData) parsePEImageData(data cryptobyte.String) {
	var img, file, moniker, classID, ser cryptobyte.String
	if !data.ReadASN1(&img, cbasn1.SEQUENCE) {
		return
	}
	img.SkipOptionalASN1(cbasn1.BIT_STRING)
	var hasFile bool
	if !img.ReadOptionalASN1(&file, &hasFile, cbasn1.Tag(0).Constructed().ContextSpecific()) || !hasFile {
		return
	}
	if !file.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return
	}
	d.hasPages = true
	if !file.ReadASN1(&moniker, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!moniker.ReadASN1(&classID, cbasn1.OCTET_STRING) || !moniker.ReadASN1(&ser, cbasn1.OCTET_STRING) {
		d.pageErr = "SpcSerializedObject does not parse"
		return
	}
	if !bytes.Equal(classID, pageHashClassID) {
		d.hasPages = false // some other serialized object; not page hashes
		return
	}
	var set cryptobyte.String
	if !ser.ReadASN1(&set, cbasn1.SET) {
		d.pageErr = "page-hash attributes do not parse"
		return
	}
	for !set.Empty() {
		var attr, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&vals, cbasn1.SET) {
			d.pageErr = "page-hash attribute does not parse"
			return
		}
		var alg crypto.Hash
		switch {
		case oid.Equal(oidPageHashesSHA1):
			alg = crypto.SHA1
		case oid.Equal(oidPageHashesSHA256):
			alg = crypto.SHA256
		default:
			continue
		}
		if d.pageAlg != 0 {
			d.pageErr = "more than one page-hash table"
			return
		}
		d.pageAlg = alg
		for !vals.Empty() {
			var tbl cryptobyte.String
			if !vals.ReadASN1(&tbl, cbasn1.OCTET_STRING) {
				d.pageErr = "page-hash table does not parse"
				return
			}
			d.pageTable = append(d.pageTable, tbl...)
		}
	}
	if d.pageAlg == 0 {
		d.pageErr = "page-hash object holds no SHA-1 or SHA-256 table"
	}
}
