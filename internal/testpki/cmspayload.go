package testpki

import "encoding/asn1"

// oidTimeStampToken is id-aa-timeStampToken, the unsigned attribute that
// holds an RFC 3161 timestamp token.
var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// PayloadTweak is a named edit of a SignedData's unsigned attributes.
type PayloadTweak struct {
	Name  string
	Tweak func(*CMSSpec)
}

// UnsignedPayloadTweaks are the ways payload can ride in the unsigned
// attributes of a SignedData whose first unsigned attribute holds its
// timestamp token, which no signature covers: as a second value of the
// token, as a second token attribute, in another attribute, and in place
// of the token.
func UnsignedPayloadTweaks(payload []byte) []PayloadTweak {
	return []PayloadTweak{
		{"payload as a second value of the token", func(c *CMSSpec) {
			c.Unsigned[0].Values = append(c.Unsigned[0].Values, payload)
		}},
		{"payload as a second token attribute", func(c *CMSSpec) {
			c.Unsigned = append(c.Unsigned, Attr{Type: oidTimeStampToken, Values: [][]byte{payload}})
		}},
		{"payload in another unsigned attribute", func(c *CMSSpec) {
			c.Unsigned = append(c.Unsigned, Attr{Type: []int{1, 2, 3, 4}, Values: [][]byte{payload}})
		}},
		{"payload in place of the token", func(c *CMSSpec) {
			c.Unsigned[0].Values[0] = payload
		}},
	}
}
