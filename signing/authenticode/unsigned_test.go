package authenticode

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// signWithUnsigned signs the fixture image with attrs as extra unsigned
// attributes and verifies it.
func signWithUnsigned(t *testing.T, attrs []testpki.Attr) *Result {
	t.Helper()
	p := fixtures.NewPKI()
	b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256, Unsigned: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return verifyBytes(t, b, Options{Trust: fixtureTrust(t), Time: fixtures.Now})
}

var oidRelaxedMarker = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 6, 1}

// TestAttackEmptyUnsignedAttributeValues: data carried by unsigned
// attributes that look empty used to pass: values with no contents (whose
// tags still vary), attribute types with no values at all (whose OIDs carry
// the data), a known marker type with a value, a marker repeated. Each is
// unauthenticated data large enough for a payload: an error.
func TestAttackEmptyUnsignedAttributeValues(t *testing.T) {
	t.Parallel()
	tag := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42921, 1, 2, 1}
	var emptyValues [][]byte
	for i := range 300 {
		emptyValues = append(emptyValues, []byte{byte(0x80 | i%0x1f), 0}) // the tags spell the payload
	}
	var typesOnly []testpki.Attr
	for i := range 40 {
		typesOnly = append(typesOnly, testpki.Attr{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 'P', 'A', 'Y', i}})
	}
	var markers []testpki.Attr
	for range 20 {
		markers = append(markers, testpki.Attr{Type: oidRelaxedMarker, Values: [][]byte{{5, 0}}})
	}
	for _, tc := range []struct {
		name  string
		attrs []testpki.Attr
	}{
		{"empty values of an unknown type", []testpki.Attr{{Type: tag, Values: emptyValues}}},
		{"unknown types without values", typesOnly},
		{"one unknown type with a long OID", []testpki.Attr{{Type: longOID(20)}}},
		{"a marker type with data", []testpki.Attr{{Type: oidRelaxedMarker, Values: [][]byte{testpki.TLV(0x04, bytes.Repeat([]byte("P"), 64))}}}},
		{"a marker repeated", markers},
		{"known types without values", []testpki.Attr{{Type: pefile.OIDNestedSignature}, {Type: pefile.OIDNestedSignature}, {Type: pefile.OIDRFC3161CounterSign}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := signWithUnsigned(t, tc.attrs)
			fs := findingsOf(res, RuleUnsignedAttributeData)
			if len(fs) != 1 || fs[0].Severity != signing.SeverityError {
				t.Fatalf("unsigned-attribute-data findings %+v, want one error", fs)
			}
			if !res.Signatures[0].Failed(CheckUnsignedAttributes) {
				t.Errorf("check %s did not fail", CheckUnsignedAttributes)
			}
		})
	}
}

// TestEmptyUnsignedAttributeMarkerTolerated: a marker wintrust.h names,
// emitted once with no value or an empty one, carries nothing and is not
// reported; a vendor's short tag stays a warning.
func TestEmptyUnsignedAttributeMarkerTolerated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		attrs []testpki.Attr
	}{
		{"marker with a NULL value", []testpki.Attr{{Type: oidRelaxedMarker, Values: [][]byte{{5, 0}}}}},
		{"marker without a value", []testpki.Attr{{Type: oidRelaxedMarker}}},
		{"both markers, empty", []testpki.Attr{{Type: oidRelaxedMarker}, {Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 6, 2}, Values: [][]byte{{5, 0}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := signWithUnsigned(t, tc.attrs)
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid", res.Status)
			}
			if fs := findingsOf(res, RuleUnsignedAttributeData); len(fs) != 0 {
				t.Errorf("findings %+v, want none", fs)
			}
		})
	}
	res := signWithUnsigned(t, []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42921, 1, 2, 1}, Values: [][]byte{{5, 0}}}})
	if fs := findingsOf(res, RuleUnsignedAttributeData); len(fs) != 1 || fs[0].Severity != signing.SeverityWarning {
		t.Errorf("an unknown type with a NULL value: findings %+v, want one warning", fs)
	}
}

// longOID returns an OID under a private arc with n more arcs of three bytes.
func longOID(n int) asn1.ObjectIdentifier {
	oid := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999}
	for range n {
		oid = append(oid, 100000)
	}
	return oid
}
