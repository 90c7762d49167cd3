// Package ticketfile builds notarization tickets shaped like Apple's, and
// the package trailers stapler appends, for shipgate's tests and fixture
// generators.
//
// A ticket here is the layout signing/notary parses: "s8ch", version 1, the
// chain length, the content length (little-endian), a DER SEQUENCE of
// certificates minted by internal/testpki ("Software Ticket Signing" under a
// test CA), then content. Apple's content layout is not documented; ours is
// an entry per cdhash (digest type 2, then the 20-byte cdhash) followed by
// an Ed25519 signature by a test key over the entries, so that the bytes
// look like a signed list without claiming to be Apple's layout.
package ticketfile

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"

	"github.com/shipgate/shipgate/internal/testpki"
)

// CA and Leaf are the test "Apple System Integration CA 4" and "Software
// Ticket Signing" certificates tickets carry.
var (
	CA   = testpki.NewRoot(testpki.Spec{CommonName: "Test System Integration CA 4", Organization: "shipgate test", KeyKind: testpki.ECDSA, KeyN: 3})
	Leaf = CA.Issue(testpki.Spec{CommonName: "Software Ticket Signing", Organization: "shipgate test", KeyKind: testpki.ECDSA, KeyN: 4, NoEKU: true})
)

// Content returns ticket content naming cdhashes (each truncated to 20
// bytes), signed by a test key.
func Content(cdhashes ...[]byte) []byte {
	var out []byte
	for _, h := range cdhashes {
		out = append(out, 2)
		out = append(out, h[:min(20, len(h))]...)
	}
	// Ed25519 is deterministic, so fixtures are byte-identical run to run.
	sig, err := testpki.Key(testpki.Ed25519, 7).Sign(nil, out, crypto.Hash(0))
	if err != nil {
		panic(err)
	}
	return append(out, sig...)
}

// Chain returns the DER SEQUENCE of certs.
func Chain(certs ...*x509.Certificate) []byte {
	var inner []byte
	for _, c := range certs {
		inner = append(inner, c.Raw...)
	}
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: inner})
	if err != nil {
		panic(err)
	}
	return b
}

// Raw assembles a ticket from a chain and content.
func Raw(chain, content []byte) []byte {
	le := binary.LittleEndian
	b := []byte("s8ch")
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, uint32(len(chain)))
	b = le.AppendUint32(b, uint32(len(content)))
	b = append(b, chain...)
	return append(b, content...)
}

// Ticket returns a ticket naming cdhashes, carrying Leaf and CA.
func Ticket(cdhashes ...[]byte) []byte {
	return Raw(Chain(Leaf.Cert, CA.Cert), Content(cdhashes...))
}

// Trailer returns one package trailer.
func Trailer(typ uint16, n int) []byte {
	le := binary.LittleEndian
	b := []byte("t8lr")
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, typ)
	b = le.AppendUint32(b, uint32(n))
	return append(b, 0, 0, 0, 0)
}

// Staple returns what stapler appends to a flat package for ticket: a
// terminator trailer, the ticket, and a ticket trailer.
func Staple(ticket []byte) []byte {
	out := Trailer(1, 0)
	out = append(out, ticket...)
	return append(out, Trailer(2, len(ticket))...)
}

// BlobWrapper wraps ticket as stapler puts it in a SuperBlob's ticket slot
// (magic 0xfade0b01, big-endian length including the 8-byte header).
func BlobWrapper(ticket []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0xfade0b01)
	b = binary.BigEndian.AppendUint32(b, uint32(8+len(ticket)))
	return append(b, ticket...)
}
