package machofile

import (
	"crypto/sha1"
	"encoding/binary"
)

// Requirement encoding (Security framework requirement.h), written out by
// hand so that fixtures need not import the parser they test: 4-byte
// big-endian words, data as a length and bytes padded to 4, expressions in
// Polish notation with and-chains nested to the left as csreq builds them.
const (
	reqOpIdent      = 2
	reqOpAnchorHash = 4
	reqOpAnd        = 6
	reqOpCertField  = 11
	reqOpCertGen    = 14
	reqMatchExists  = 0
	reqMatchEqual   = 1
)

type reqWriter []byte

func (w *reqWriter) word(v uint32) { *w = binary.BigEndian.AppendUint32(*w, v) }
func (w *reqWriter) data(d []byte) {
	w.word(uint32(len(d)))
	*w = append(*w, d...)
	for len(*w)%4 != 0 {
		*w = append(*w, 0)
	}
}

// Content octets of the Developer ID markers 1.2.840.113635.100.6.2.6 (CA)
// and 1.2.840.113635.100.6.1.13 (leaf).
var (
	oidDevIDCA   = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x02, 0x06}
	oidDevIDLeaf = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x01, 0x0d}
)

// DesignatedRequirements returns a Requirements blob (0xfade0c01) holding
// one designated requirement, as codesign writes it for a Developer ID
// identity whose anchor is not Apple's:
//
//	identifier "ID" and certificate root = H"SHA-1 of root" and
//	certificate 1[field.1.2.840.113635.100.6.2.6] and
//	certificate leaf[field.1.2.840.113635.100.6.1.13] and
//	certificate leaf[subject.OU] = TEAM
func DesignatedRequirements(id string, root []byte, team string) []byte {
	var e reqWriter
	for range 4 {
		e.word(reqOpAnd)
	}
	e.word(reqOpIdent)
	e.data([]byte(id))
	sum := sha1.Sum(root)
	e.word(reqOpAnchorHash)
	e.word(0xffffffff) // slot -1, the anchor
	e.data(sum[:])
	e.word(reqOpCertGen)
	e.word(1)
	e.data(oidDevIDCA)
	e.word(reqMatchExists)
	e.word(reqOpCertGen)
	e.word(0)
	e.data(oidDevIDLeaf)
	e.word(reqMatchExists)
	e.word(reqOpCertField)
	e.word(0)
	e.data([]byte("subject.OU"))
	e.word(reqMatchEqual)
	e.data([]byte(team))

	var req reqWriter
	req.word(0xfade0c00)
	req.word(uint32(12 + len(e)))
	req.word(1) // kind: expression form
	req = append(req, e...)

	var set reqWriter
	set.word(0xfade0c01)
	set.word(uint32(20 + len(req)))
	set.word(1) // one entry
	set.word(3) // designated
	set.word(20)
	return append(set, req...)
}
