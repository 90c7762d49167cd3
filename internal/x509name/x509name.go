// Package x509name compares X.509 distinguished names as RFC 5280 §7.1 asks:
// two names are equal when they have the same relative distinguished names
// in the same order, each with the same set of attributes (in any order
// within the RDN), and attribute values compare equal after the LDAP
// string preparation of RFC 4518 — whatever directory string type
// (PrintableString, UTF8String, TeletexString, BMPString, UniversalString,
// IA5String…) encodes them.
//
// The string preparation is RFC 4518's basics: transcoding to Unicode,
// mapping characters RFC 4518 §2.2 maps to nothing (soft hyphens, variation
// selectors, every control and format character: zero-width characters,
// bidi marks and overrides, tag characters, the byte order mark) and
// whitespace to a space, case
// folding, NFKC normalisation, and insignificant space handling (leading and
// trailing spaces removed, inner runs folded to one). Prohibited characters
// and bidi checks are not applied: such a value still compares, as itself.
// TeletexString is read as ISO 8859-1, as OpenSSL and Windows read it.
// Values of other types (and strings that do not decode) compare by their
// DER bytes.
//
// This is what OpenSSL's X509_NAME canonical form and Windows chain building
// do in substance, so that a CA whose subject is a PrintableString still
// issues a certificate whose issuer field was written as a UTF8String.
package x509name

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Universal tags of the string types a directory name may use.
const (
	tagUTF8      = 12
	tagNumeric   = 18
	tagPrintable = 19
	tagTeletex   = 20
	tagIA5       = 22
	tagVisible   = 26
	tagUniversal = 28
	tagBMP       = 30
)

// maxName bounds the names canonicalised; larger ones compare by bytes only.
// Certificates and CRLs cap their own sizes, so real names are far smaller.
const maxName = 64 << 10

// Canonical returns the canonical form of the DER Name der: two names RFC
// 5280 §7.1 calls equal have the same canonical form, and different names
// different ones. ok is false when der is not a well-formed Name (a
// SEQUENCE OF non-empty SET OF AttributeTypeAndValue, nothing after it);
// callers decide what that means.
func Canonical(der []byte) (canon string, ok bool) {
	if len(der) > maxName {
		return "", false
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return "", false
	}
	var out []byte
	var atvs [][]byte
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) || set.Empty() {
			return "", false
		}
		atvs = atvs[:0]
		for !set.Empty() {
			var atv cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) {
				return "", false
			}
			var oid cryptobyte.String
			var val cryptobyte.String
			var tag cbasn1.Tag
			if !atv.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) || len(oid) == 0 || !atv.ReadAnyASN1Element(&val, &tag) || !atv.Empty() {
				return "", false
			}
			atvs = append(atvs, canonATV(oid, tag, val))
		}
		// A multi-valued RDN is a SET: its attributes in any order.
		slices.SortFunc(atvs, bytes.Compare)
		out = binary.AppendUvarint(out, uint64(len(atvs)))
		for _, a := range atvs {
			out = appendField(out, a)
		}
	}
	return string(out), true
}

// canonATV encodes one attribute: its type's DER contents, then 's' and the
// prepared string, or 'r' and the value's whole DER element.
func canonATV(oid []byte, tag cbasn1.Tag, elem []byte) []byte {
	a := appendField(nil, oid)
	if s, ok := decode(tag, elem); ok {
		return appendField(append(a, 's'), []byte(Fold(s)))
	}
	return appendField(append(a, 'r'), elem)
}

func appendField(b, f []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(f)))
	return append(b, f...)
}

// DecodeString returns the Unicode text of elem, one whole DER element of a
// directory string type (UTF8String, PrintableString, IA5String,
// VisibleString, NumericString, TeletexString read as ISO 8859-1,
// BMPString, UniversalString), as names compare it. ok is false when elem
// is not such an element or its contents do not decode. Everything that
// reads a string value out of a name (a blocklist's "#hex" values among
// them) decodes it here, so that a value compares the same whichever
// string type encodes it.
func DecodeString(elem []byte) (s string, ok bool) {
	in := cryptobyte.String(elem)
	var tag cbasn1.Tag
	var whole cryptobyte.String
	if !in.ReadAnyASN1Element(&whole, &tag) || !in.Empty() {
		return "", false
	}
	return decode(tag, whole)
}

// decode returns the Unicode text of a directory string element, or false
// when elem is not a string type or does not decode.
func decode(tag cbasn1.Tag, elem []byte) (string, bool) {
	s := cryptobyte.String(elem)
	var body cryptobyte.String
	if !s.ReadASN1(&body, tag) || !s.Empty() {
		return "", false
	}
	switch tag {
	case tagUTF8:
		if !utf8.Valid(body) {
			return "", false
		}
		return string(body), true
	case tagPrintable, tagIA5, tagVisible, tagNumeric:
		for _, c := range body {
			if c >= 0x80 {
				return "", false
			}
		}
		return string(body), true
	case tagTeletex:
		r := make([]rune, len(body))
		for i, c := range body {
			r[i] = rune(c) // ISO 8859-1
		}
		return string(r), true
	case tagBMP:
		if len(body)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(body)/2)
		for i := range u {
			u[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
		}
		r := utf16.Decode(u)
		if slices.Contains(r, utf8.RuneError) {
			return "", false
		}
		return string(r), true
	case tagUniversal:
		if len(body)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(body)/4)
		for i := range r {
			r[i] = rune(binary.BigEndian.Uint32(body[4*i:]))
			if !utf8.ValidRune(r[i]) {
				return "", false
			}
		}
		return string(r), true
	}
	return "", false
}

// Fold prepares an attribute value for comparison as RFC 4518 does for
// caseIgnoreMatch: characters mapped to nothing are removed, whitespace
// becomes a space, case is folded, the result is NFKC-normalised, leading
// and trailing spaces are removed and inner runs of spaces folded to one.
// It is exported for names given as strings (blocklists).
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 || c == 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		// Case folding and NFKC leave printable ASCII alone but for case.
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case mappedToNothing(r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1 // RFC 4518 §2.2: controls and format characters
		}
		return r
	}, s)
	// A Caser is stateful: one per call, as package cases asks.
	// NFKC can yield characters that fold again (U+2126 OHM SIGN to Ω).
	s = cases.Fold().String(norm.NFKC.String(cases.Fold().String(s)))
	return strings.Join(strings.Fields(s), " ")
}

// mappedToNothing reports whether RFC 4518 §2.2 maps r to nothing for a
// reason other than being a control or format character: the soft hyphens
// U+00AD and U+1806, the combining grapheme joiner U+034F, the variation
// selectors U+180B–180D and U+FE00–FE0F (and, invisible alike, the
// supplementary ones U+E0100–E01EF), U+FFFC, and U+180E and U+200B, which
// were spaces in the Unicode version RFC 4518 cites.
func mappedToNothing(r rune) bool {
	switch {
	case r == '\u00ad', r == '\u034f', r == '\u1806', r == '\u180e', r == '\u200b', r == '\ufffc':
		return true
	case r >= '\u180b' && r <= '\u180d', r >= '\ufe00' && r <= '\ufe0f', r >= 0xe0100 && r <= 0xe01ef:
		return true
	}
	return false
}

// Equal reports whether the DER names a and b are equal under RFC 5280
// §7.1. Identical bytes are equal; otherwise both must be well-formed
// names with the same canonical form, so a malformed name equals only
// itself, byte for byte.
func Equal(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ca, ok := Canonical(a)
	if !ok {
		return false
	}
	cb, ok := Canonical(b)
	return ok && ca == cb
}

// Key returns a map key for the DER name der: keys are equal exactly when
// Equal holds. A malformed name keys by its bytes, marked so that it never
// collides with a canonical form.
func Key(der []byte) string {
	if c, ok := Canonical(der); ok {
		return "c" + c
	}
	return "r" + string(der)
}

// Within reports whether the DER name der lies in the subtree of the DER
// name base, as RFC 5280 §4.2.1.10 matches directoryName constraints:
// base's relative distinguished names are the first ones of der, each
// equal under §7.1. ok is false when either name is malformed; callers
// that apply a constraint then fail closed.
func Within(der, base []byte) (within, ok bool) {
	cd, ok := Canonical(der)
	if !ok {
		return false, false
	}
	cb, ok := Canonical(base)
	if !ok {
		return false, false
	}
	// Each RDN's encoding is self-delimiting (a count, then
	// length-prefixed fields), so a byte prefix is an RDN prefix.
	return strings.HasPrefix(cd, cb), true
}
