package codesign

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// derEnts encodes a flat dictionary of boolean entitlements in Apple's DER
// form.
func derEnts(kv map[string]bool) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tagDEREnts, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(tagDERDict, func(b *cryptobyte.Builder) {
			for _, k := range []string{"com.apple.security.cs.allow-jit", "com.apple.security.get-task-allow"} {
				v, ok := kv[k]
				if !ok {
					continue
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(k)) })
					b.AddASN1Boolean(v)
				})
			}
		})
	})
	return b.BytesOrPanic()
}

// TestDEREntitlementsDecode: DER entitlements decode to the dictionary
// the fixtures' XML entitlements hold; values of other types, trailing
// bytes, repeated keys and deep nesting are refused.
func TestDEREntitlementsDecode(t *testing.T) {
	t.Parallel()
	d, err := decodeDEREntitlements(derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true}))
	if err != nil {
		t.Fatal(err)
	}
	x, err := plistDict(machofile.Entitlements)
	if err != nil {
		t.Fatal(err)
	}
	if !sameEntitlements(x, d) {
		t.Errorf("XML %v and DER %v differ", x, d)
	}
	// machofile.DEREntitlements, the Developer ID fixtures' DER form, is
	// the same dictionary.
	if fd, err := decodeDEREntitlements(machofile.DEREntitlements); err != nil || !sameEntitlements(x, fd) {
		t.Errorf("the fixtures' DER entitlements: %v, %v; want %v", fd, err, x)
	}
	// What the fixtures once held: every length one byte short (a 30-byte
	// key for the 31 of com.apple.security.cs.allow-jit).
	short := []byte{0x70, 0x2a, 0x02, 0x01, 0x01, 0xb0, 0x25, 0x30, 0x23, 0x0c, 0x1e}
	short = append(append(short, "com.apple.security.cs.allow-jit"...), 0x01, 0x01, 0xff)
	deep := []byte{0x04, 0x00}
	for range 40 {
		deep = append([]byte{0x30, byte(len(deep))}, deep...)
	}
	for name, b := range map[string][]byte{
		"trailing":   append(append([]byte(nil), machofile.DEREntitlements...), 0),
		"one short":  short,
		"version 2":  {0x70, 0x05, 0x02, 0x01, 0x02, 0xb0, 0x00},
		"not a dict": {0x70, 0x05, 0x02, 0x01, 0x01, 0x30, 0x00},
		"octets":     {0x70, 0x0c, 0x02, 0x01, 0x01, 0xb0, 0x07, 0x30, 0x05, 0x0c, 0x01, 'a', 0x04, 0x00},
		"twice":      {0x70, 0x14, 0x02, 0x01, 0x01, 0xb0, 0x0f, 0x30, 0x06, 0x0c, 0x01, 'a', 0x01, 0x01, 0xff, 0x30, 0x06, 0x0c, 0x01, 'a', 0x01, 0x01, 0x00},
		"deep":       deep,
		"empty":      nil,
	} {
		if _, err := decodeDEREntitlements(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if sameEntitlements(map[string]any{"a": uint64(1)}, map[string]any{"a": int64(2)}) ||
		!sameEntitlements(map[string]any{"a": uint64(1), "b": []any{"x", int64(-1)}}, map[string]any{"a": int64(1), "b": []any{"x", int64(-1)}}) ||
		sameEntitlements(map[string]any{"a": true}, map[string]any{"a": true, "b": true}) {
		t.Error("sameEntitlements compares wrongly")
	}
}

// TestRequirementEntitlementsXMLDERMismatchUndecided: a signature whose
// XML entitlements omit get-task-allow while the DER ones, which macOS
// grants, carry it, cannot pass `entitlement[…get-task-allow] absent`
// (nor its negation) on the XML alone: the terms are undecided. When both
// forms agree the term is decided.
func TestRequirementEntitlementsXMLDERMismatchUndecided(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	sign := func(der []byte) *Slice {
		spec := p.DeveloperIDSpec("com.example.app")
		spec.DEREntitlements = der
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
		if err != nil {
			t.Fatal(err)
		}
		if st := res.Signatures[0].Status; st != signing.StatusValid {
			t.Fatalf("status %s: %v", st, res.Findings)
		}
		return &res.Slices[0]
	}
	absent := mustCompile(t, `entitlement["com.apple.security.get-task-allow"] absent`)
	present := mustCompile(t, `! entitlement["com.apple.security.get-task-allow"] absent`)
	agree := sign(derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true}))
	if got, why := agree.Satisfies(absent); got != signing.RequirementSatisfied {
		t.Errorf("agreeing forms: %s %v", got, why)
	}
	debuggable := sign(derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true, "com.apple.security.get-task-allow": true}))
	for _, r := range []*Requirement{absent, present} {
		got, why := debuggable.Satisfies(r)
		if got != signing.RequirementUnknown || len(why) != 1 || !bytes.Contains([]byte(why[0]), []byte("differ")) {
			t.Errorf("%s over differing forms: %s %v", r, got, why)
		}
	}
	garbage := sign([]byte{0x70, 0x00})
	if got, _ := garbage.Satisfies(absent); got != signing.RequirementUnknown {
		t.Errorf("undecodable DER entitlements: %s", got)
	}
}

func FuzzDecodeDEREntitlements(f *testing.F) {
	f.Add(machofile.DEREntitlements)
	f.Add(derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true}))
	f.Add(derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true, "com.apple.security.get-task-allow": false}))
	f.Add([]byte{0x70, 0x05, 0x02, 0x01, 0x01, 0xb0, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDEREntitlements(b)
		if err == nil && !sameEntitlements(d, d) {
			t.Fatalf("%x: a decoded dictionary differs from itself", b)
		}
	})
}
