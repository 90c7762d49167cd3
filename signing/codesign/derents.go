package codesign

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DER entitlements (the 0xfade7172 blob, CoreEntitlements' form) are
// decoded here, with golang.org/x/crypto/cryptobyte, only to check that
// they say what the XML entitlements say: macOS grants the DER form while
// `codesign -R` evaluates entitlement terms against the XML one, so a
// requirement's entitlement terms are decided only when both agree. The
// form is
//
//	[APPLICATION 16] SEQUENCE { version INTEGER (1), dict }
//	dict  ::= [CONTEXT 16] SET OF SEQUENCE { key UTF8String, value }
//	value ::= BOOLEAN | INTEGER | UTF8String | SEQUENCE OF value | dict
//
// No library decodes it.

// maxDEREntsDepth bounds the nesting of DER entitlement values.
const maxDEREntsDepth = 32

var (
	tagDEREnts = cbasn1.Tag(16 | 0x40).Constructed() // [APPLICATION 16], 0x70
	tagDERDict = cbasn1.Tag(16).Constructed().ContextSpecific()
)

// decodeDEREntitlements decodes a DER entitlements payload (the blob
// without its 8-byte header) into the values a plist dictionary decodes
// to: bool, int64, string, []any and map[string]any.
func decodeDEREntitlements(b []byte) (map[string]any, error) {
	s := cryptobyte.String(b)
	var body cryptobyte.String
	var version int64
	if !s.ReadASN1(&body, tagDEREnts) || !s.Empty() {
		return nil, errors.New("not one [APPLICATION 16] element")
	}
	if !body.ReadASN1Integer(&version) || version != 1 {
		return nil, errors.New("version is not 1")
	}
	v, err := derEntValue(&body, 0)
	if err != nil {
		return nil, err
	}
	d, ok := v.(map[string]any)
	if !ok || !body.Empty() {
		return nil, errors.New("the payload is not one dictionary")
	}
	return d, nil
}

func derEntValue(s *cryptobyte.String, depth int) (any, error) {
	if depth > maxDEREntsDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDEREntsDepth)
	}
	switch {
	case s.PeekASN1Tag(cbasn1.BOOLEAN):
		var v bool
		if !s.ReadASN1Boolean(&v) {
			return nil, errors.New("bad BOOLEAN")
		}
		return v, nil
	case s.PeekASN1Tag(cbasn1.INTEGER):
		var v int64
		if !s.ReadASN1Integer(&v) {
			return nil, errors.New("bad INTEGER")
		}
		return v, nil
	case s.PeekASN1Tag(cbasn1.UTF8String):
		var v cryptobyte.String
		if !s.ReadASN1(&v, cbasn1.UTF8String) {
			return nil, errors.New("bad UTF8String")
		}
		return string(v), nil
	case s.PeekASN1Tag(cbasn1.SEQUENCE):
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			return nil, errors.New("bad SEQUENCE")
		}
		arr := []any{}
		for !seq.Empty() {
			v, err := derEntValue(&seq, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case s.PeekASN1Tag(tagDERDict):
		var set cryptobyte.String
		if !s.ReadASN1(&set, tagDERDict) {
			return nil, errors.New("bad dictionary")
		}
		d := map[string]any{}
		for !set.Empty() {
			var kv, key cryptobyte.String
			if !set.ReadASN1(&kv, cbasn1.SEQUENCE) || !kv.ReadASN1(&key, cbasn1.UTF8String) {
				return nil, errors.New("bad dictionary entry")
			}
			if _, dup := d[string(key)]; dup {
				return nil, fmt.Errorf("key %q twice", key)
			}
			v, err := derEntValue(&kv, depth+1)
			if err != nil {
				return nil, err
			}
			if !kv.Empty() {
				return nil, fmt.Errorf("entry %q holds more than a value", key)
			}
			d[string(key)] = v
		}
		return d, nil
	}
	return nil, errors.New("a value of a type entitlements do not use")
}

// sameEntitlements reports whether the XML entitlements dictionary (as
// plistDict decodes it) and the DER one say the same.
func sameEntitlements(xml, der any) bool {
	switch x := xml.(type) {
	case bool, string:
		return x == der
	case uint64:
		d, ok := der.(int64)
		return ok && d >= 0 && x <= math.MaxInt64 && int64(x) == d
	case int64:
		d, ok := der.(int64)
		return ok && x == d
	case []any:
		d, ok := der.([]any)
		if !ok || len(d) != len(x) {
			return false
		}
		for i := range x {
			if !sameEntitlements(x[i], d[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		d, ok := der.(map[string]any)
		if !ok || len(d) != len(x) {
			return false
		}
		for k, v := range x {
			dv, ok := d[k]
			if !ok || !sameEntitlements(v, dv) {
				return false
			}
		}
		return true
	}
	return false // reals, data and dates have no DER form
}
