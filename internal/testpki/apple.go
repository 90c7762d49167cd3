package testpki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
)

// AppleLeafMarker is Apple's critical leaf marker extension
// 1.2.840.113635.100.6.1.n with its DER NULL value.
func AppleLeafMarker(n int) pkix.Extension {
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, n}, Critical: true, Value: []byte{0x05, 0x00}}
}

// AppleCAMarker is Apple's critical intermediate marker extension
// 1.2.840.113635.100.6.2.n with its DER NULL value.
func AppleCAMarker(n int) pkix.Extension {
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, n}, Critical: true, Value: []byte{0x05, 0x00}}
}

// AppleEKU is an extended key usage extension holding Apple's
// 1.2.840.113635.100.4.n usages (mint the leaf with NoEKU).
func AppleEKU(n ...int) pkix.Extension {
	oids := make([]asn1.ObjectIdentifier, len(n))
	for i, x := range n {
		oids[i] = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 4, x}
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: mustMarshal(oids)}
}

// UID is the userID subject attribute (0.9.2342.19200300.100.1.1) that
// Apple's developer certificates carry the team ID in.
func UID(v string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: v}
}
