package x509name

import (
	"encoding/asn1"
	"testing"
)

// TestDecodeString checks DecodeString on one value in each directory
// string type, and on elements it must refuse.
func TestDecodeString(t *testing.T) {
	elem := func(tag int, b ...byte) []byte {
		der, err := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: b})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	cases := []struct {
		name string
		der  []byte
		want string
		ok   bool
	}{
		{"utf8", elem(tagUTF8, []byte("Sté")...), "Sté", true},
		{"printable", elem(tagPrintable, 'A', 'b'), "Ab", true},
		{"ia5", elem(tagIA5, 'a', '@'), "a@", true},
		{"visible", elem(tagVisible, 'v'), "v", true},
		{"numeric", elem(tagNumeric, '1', ' '), "1 ", true},
		{"teletex-latin1", elem(tagTeletex, 'S', 't', 0xe9), "Sté", true},
		{"bmp", elem(tagBMP, 0, 'S', 0, 't', 0, 0xe9), "Sté", true},
		{"universal", elem(tagUniversal, 0, 0, 0, 'S', 0, 0, 0, 't', 0, 0, 0, 0xe9), "Sté", true},
		{"utf8-invalid", elem(tagUTF8, 0xff), "", false},
		{"printable-8bit", elem(tagPrintable, 0xe9), "", false},
		{"bmp-odd", elem(tagBMP, 0, 'S', 0), "", false},
		{"bmp-lone-surrogate", elem(tagBMP, 0xd8, 0x00), "", false},
		{"universal-short", elem(tagUniversal, 0, 0, 'S'), "", false},
		{"universal-out-of-range", elem(tagUniversal, 0x00, 0x11, 0, 0), "", false},
		{"octet-string", elem(4, 'S'), "", false},
		{"trailing-bytes", append(elem(tagUTF8, 'S'), 0), "", false},
		{"truncated", elem(tagUTF8, 'S', 't')[:3], "", false},
		{"empty", nil, "", false},
	}
	for _, tc := range cases {
		got, ok := DecodeString(tc.der)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: DecodeString(% x) = %q, %v; want %q, %v", tc.name, tc.der, got, ok, tc.want, tc.ok)
		}
	}
}
