package machofile

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"testing"
)

// derWalk checks that b is exactly one DER element whose length field
// covers its content, recursing into constructed elements, and returns
// the element.
func derWalk(t *testing.T, b []byte, path string) asn1.RawValue {
	t.Helper()
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(b, &v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rest) != 0 {
		t.Fatalf("%s: %d bytes follow the element its length field ends", path, len(rest))
	}
	if len(v.FullBytes) != len(b) || len(v.FullBytes)-len(v.Bytes) < 2 {
		t.Fatalf("%s: element of %d bytes, content %d", path, len(v.FullBytes), len(v.Bytes))
	}
	if v.IsCompound {
		for in := v.Bytes; len(in) > 0; {
			var kid asn1.RawValue
			r, err := asn1.Unmarshal(in, &kid)
			if err != nil {
				t.Fatalf("%s/%d: %v", path, kid.Tag, err)
			}
			derWalk(t, kid.FullBytes, path+"/"+string(rune('0'+kid.Tag%10)))
			in = r
		}
	}
	return v
}

// TestDEREntitlementsParse: the DER entitlements fixture is one element
// whose length fields, at every level, match their content (it was once
// one byte short: a 31-byte key under a length of 30), it says what the XML
// entitlements say, and the signed blob's length field counts it whole.
func TestDEREntitlementsParse(t *testing.T) {
	top := derWalk(t, DEREntitlements, "ents")
	if top.Class != asn1.ClassApplication || top.Tag != 16 {
		t.Fatalf("top element class %d tag %d, want [APPLICATION 16]", top.Class, top.Tag)
	}
	var version int
	rest, err := asn1.Unmarshal(top.Bytes, &version)
	if err != nil || version != 1 {
		t.Fatalf("version %d, %v", version, err)
	}
	var dict asn1.RawValue
	if rest, err = asn1.Unmarshal(rest, &dict); err != nil || len(rest) != 0 || dict.Class != asn1.ClassContextSpecific || dict.Tag != 16 {
		t.Fatalf("dictionary: %+v, %d bytes after, %v", dict, len(rest), err)
	}
	var pair struct {
		Key   string `asn1:"utf8"`
		Value bool
	}
	if rest, err = asn1.Unmarshal(dict.Bytes, &pair); err != nil || len(rest) != 0 {
		t.Fatalf("pair: %v, %d bytes after", err, len(rest))
	}
	if pair.Key != "com.apple.security.cs.allow-jit" || !pair.Value || !bytes.Contains(Entitlements, []byte("<key>"+pair.Key+"</key>\n\t<true/>")) {
		t.Errorf("DER says %q = %t, not what the XML entitlements say", pair.Key, pair.Value)
	}

	signed, lay, err := Sign(Build(Spec{CPU: CPUARM64, Seed: 1}), NewPKI().DeveloperIDSpec("com.example.app"))
	if err != nil {
		t.Fatal(err)
	}
	pos, ok := lay.Blob(SlotDEREntitlements)
	if !ok {
		t.Fatal("no DER entitlements blob")
	}
	blob := signed[pos.Off:]
	if magic := binary.BigEndian.Uint32(blob); magic != 0xfade7172 {
		t.Fatalf("magic %#x", magic)
	}
	n := int(binary.BigEndian.Uint32(blob[4:]))
	if n != 8+len(DEREntitlements) || !bytes.Equal(blob[8:n], DEREntitlements) {
		t.Errorf("blob length field %d, want %d holding the DER entitlements", n, 8+len(DEREntitlements))
	}
}

// TestDERTLVLongForm: derTLV switches to the long length form at 128 bytes.
func TestDERTLVLongForm(t *testing.T) {
	for _, n := range []int{0, 127, 128, 255, 256, 70000} {
		b := derTLV(0x04, make([]byte, n))
		v := derWalk(t, b, "octets")
		if len(v.Bytes) != n {
			t.Errorf("%d bytes encoded as %d", n, len(v.Bytes))
		}
	}
}
