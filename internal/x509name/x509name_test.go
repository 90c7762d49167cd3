package x509name

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
	"unicode/utf16"
)

// atv is one attribute for name: its type and a value written with tag.
type atv struct {
	oid asn1.ObjectIdentifier
	tag int
	val []byte
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
)

func str(oid asn1.ObjectIdentifier, tag int, s string) atv { return atv{oid, tag, []byte(s)} }

func bmp(oid asn1.ObjectIdentifier, s string) atv {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return atv{oid, tagBMP, b}
}

func universal(oid asn1.ObjectIdentifier, s string) atv {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return atv{oid, tagUniversal, b}
}

// name encodes a Name whose RDNs hold the given attributes, in order.
func name(t testing.TB, rdns ...[]atv) []byte {
	t.Helper()
	var seq pkix.RDNSequence
	for _, rdn := range rdns {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range rdn {
			set = append(set, pkix.AttributeTypeAndValue{Type: a.oid, Value: asn1.RawValue{Tag: a.tag, Bytes: a.val}})
		}
		seq = append(seq, set)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func one(a ...atv) []atv { return a }

func TestEqual(t *testing.T) {
	base := name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagPrintable, "Example Corp")), one(str(oidCN, tagPrintable, "Example CA")))
	cases := []struct {
		name  string
		other []byte
		want  bool
	}{
		{"identical", base, true},
		{"utf8-for-printable", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagUTF8, "Example Corp")), one(str(oidCN, tagUTF8, "Example CA"))), true},
		{"bmp-string", name(t, one(str(oidC, tagPrintable, "US")), one(bmp(oidO, "Example Corp")), one(bmp(oidCN, "Example CA"))), true},
		{"universal-string", name(t, one(str(oidC, tagPrintable, "US")), one(universal(oidO, "Example Corp")), one(universal(oidCN, "Example CA"))), true},
		{"teletex-string", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagTeletex, "Example Corp")), one(str(oidCN, tagTeletex, "Example CA"))), true},
		{"case", name(t, one(str(oidC, tagPrintable, "us")), one(str(oidO, tagUTF8, "EXAMPLE corp")), one(str(oidCN, tagPrintable, "example ca"))), true},
		{"spaces", name(t, one(str(oidC, tagPrintable, " US")), one(str(oidO, tagUTF8, "Example    Corp ")), one(str(oidCN, tagUTF8, "  Example\tCA"))), true},
		{"different-value", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagPrintable, "Example Corp")), one(str(oidCN, tagPrintable, "Example CA 2"))), false},
		{"different-type", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidCN, tagPrintable, "Example Corp")), one(str(oidCN, tagPrintable, "Example CA"))), false},
		{"rdn-order", name(t, one(str(oidCN, tagPrintable, "Example CA")), one(str(oidO, tagPrintable, "Example Corp")), one(str(oidC, tagPrintable, "US"))), false},
		{"fewer-rdns", name(t, one(str(oidO, tagPrintable, "Example Corp")), one(str(oidCN, tagPrintable, "Example CA"))), false},
		{"rdns-merged", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagPrintable, "Example Corp"), str(oidCN, tagPrintable, "Example CA"))), false},
		{"inner-space-matters", name(t, one(str(oidC, tagPrintable, "US")), one(str(oidO, tagPrintable, "ExampleCorp")), one(str(oidCN, tagPrintable, "Example CA"))), false},
		{"malformed", append(append([]byte(nil), base[:len(base)-1]...), 0x00), false},
		{"trailing-data", append(append([]byte(nil), base...), 0x00), false},
		{"empty", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Equal(base, tc.other); got != tc.want {
				t.Errorf("Equal = %t, want %t", got, tc.want)
			}
			if got := Equal(tc.other, base); got != tc.want {
				t.Errorf("Equal reversed = %t, want %t", got, tc.want)
			}
			if got := Key(base) == Key(tc.other); got != tc.want {
				t.Errorf("keys equal = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestEqualMultiValuedRDN(t *testing.T) {
	a := name(t, one(str(oidO, tagPrintable, "Example"), str(oidCN, tagPrintable, "Signer")))
	b := name(t, one(str(oidCN, tagUTF8, "signer"), str(oidO, tagUTF8, "EXAMPLE")))
	if !Equal(a, b) {
		t.Errorf("attributes of one RDN in another case and string type: not equal")
	}
	// encoding/asn1 sorts a SET OF; write both orders by hand.
	cn, _ := asn1.Marshal(pkix.AttributeTypeAndValue{Type: oidCN, Value: "Signer"})
	o, _ := asn1.Marshal(pkix.AttributeTypeAndValue{Type: oidO, Value: "Example"})
	wrap := func(tag byte, parts ...[]byte) []byte {
		var body []byte
		for _, p := range parts {
			body = append(body, p...)
		}
		return append([]byte{tag, byte(len(body))}, body...)
	}
	x := wrap(0x30, wrap(0x31, cn, o))
	y := wrap(0x30, wrap(0x31, o, cn))
	if !Equal(x, y) || Key(x) != Key(y) {
		t.Errorf("attributes of one RDN in either order: not equal")
	}
}

func TestEqualValues(t *testing.T) {
	cases := []struct {
		name string
		a, b atv
		want bool
	}{
		{"unicode-case", str(oidCN, tagUTF8, "ÉCOLE"), str(oidCN, tagUTF8, "école"), true},
		{"teletex-latin1", atv{oidCN, tagTeletex, []byte{0xc9, 'c', 'o', 'l', 'e'}}, str(oidCN, tagUTF8, "École"), true},
		{"nfkc", str(oidCN, tagUTF8, "ﬁle"), str(oidCN, tagPrintable, "file"), true},
		{"no-break-space", str(oidCN, tagUTF8, "A\u00a0B"), str(oidCN, tagPrintable, "A B"), true},
		{"zero-width", str(oidCN, tagUTF8, "A\u200bB"), str(oidCN, tagPrintable, "AB"), true},
		{"bad-utf8-raw", atv{oidCN, tagUTF8, []byte{0xff}}, atv{oidCN, tagTeletex, []byte{0xff}}, false},
		{"printable-high-byte-raw", atv{oidCN, tagPrintable, []byte{'A', 0xc9}}, str(oidCN, tagUTF8, "AÉ"), false},
		{"odd-bmp-raw", atv{oidCN, tagBMP, []byte{0, 'A', 0}}, str(oidCN, tagUTF8, "A"), false},
		{"non-string-by-bytes", atv{oidCN, 4, []byte("A")}, atv{oidCN, 4, []byte("a")}, false},
		{"non-string-same-bytes", atv{oidCN, 4, []byte("A")}, atv{oidCN, 4, []byte("A")}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Equal(name(t, one(tc.a)), name(t, one(tc.b))); got != tc.want {
				t.Errorf("Equal = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"  Example   Corp ": "example corp",
		"ÉCOLE\tNormale":    "école normale",
		"":                  "",
		"Ω":                 "ω",
		"\u2126":            "ω", // OHM SIGN
		// RFC 4518 §2.2 maps these to nothing.
		"a\u200eb\u200fc":        "abc", // bidi marks
		"a\u202ab\u202ec":        "abc", // bidi embedding and override
		"ab\U000e0001\U000e0041": "ab",  // tag characters
		"a\ufe0fb\u180bc":        "abc", // variation selectors
		"a\u1806b\ufffc":         "ab",  // Mongolian soft hyphen, U+FFFC
		"a\u2062b\u206ac":        "abc", // invisible times, inhibit swapping
		"a\U000e0100b":           "ab",  // supplementary variation selector
		"a\u00a0\u3000b":         "a b", // spaces
		"A\u0301":                "á",   // a combining mark is kept (NFKC composes it)
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzEqual(f *testing.F) {
	f.Add(name(f, one(str(oidCN, tagPrintable, "Example CA"))), name(f, one(str(oidCN, tagUTF8, "example  ca"))))
	f.Add(name(f, one(bmp(oidCN, "X"), str(oidO, tagTeletex, "Y"))), []byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x03, 0x31, 0x01, 0x30}, []byte{})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if !Equal(a, a) {
			t.Fatalf("a name is not equal to itself")
		}
		ab, ba := Equal(a, b), Equal(b, a)
		if ab != ba {
			t.Fatalf("Equal not symmetric")
		}
		if ab != (Key(a) == Key(b)) {
			t.Fatalf("Equal %t disagrees with Key", ab)
		}
		if c, ok := Canonical(a); ok {
			if c2, _ := Canonical(a); c2 != c {
				t.Fatalf("Canonical not deterministic")
			}
		}
	})
}

// TestWithin: a name is within a subtree when the subtree's RDNs begin it,
// compared as Equal compares them; a longer base, another order, or a
// value that merely starts like the base's is not.
func TestWithin(t *testing.T) {
	name := func(rdns ...pkix.AttributeTypeAndValue) []byte {
		var seq pkix.RDNSequence
		for _, a := range rdns {
			seq = append(seq, pkix.RelativeDistinguishedNameSET{a})
		}
		b, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}
	o := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "Example Corp"}
	oFold := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "example  CORP"}
	oLonger := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "Example Corporation"}
	cn := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Signer"}
	for _, tc := range []struct {
		name, base []byte
		want       bool
	}{
		{name(c, o, cn), name(c, o), true},
		{name(c, oFold, cn), name(c, o), true},
		{name(c, o), name(c, o), true},
		{name(c, o), name(), true},
		{name(c, oLonger, cn), name(c, o), false},
		{name(o, c, cn), name(c, o), false},
		{name(c), name(c, o), false},
	} {
		got, ok := Within(tc.name, tc.base)
		if !ok || got != tc.want {
			t.Errorf("Within(%x, %x) = %v, %v; want %v", tc.name, tc.base, got, ok, tc.want)
		}
	}
	if _, ok := Within([]byte{0x30, 0x01}, name(c)); ok {
		t.Error("a malformed name is within a subtree")
	}
}
