package codesign

import (
	"bytes"
	"encoding/asn1"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestCMSOwnershipSplitPayload: a payload cut into unsigned attribute values
// of at most 16 bytes each makes the slice invalid, though one such value
// alone is a warning (as is the attribute's type beside it).
func TestCMSOwnershipSplitPayload(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	attr := func(n int) testpki.Attr {
		a := testpki.Attr{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3}}
		for i := range n {
			a.Values = append(a.Values, testpki.TLV(0x04, append(bytes.Repeat([]byte{'P'}, 13), byte(i))))
		}
		return a
	}
	for _, tc := range []struct {
		values int
		status signing.Status
		sev    signing.Severity
	}{{1, signing.StatusValid, signing.SeverityWarning}, {300, signing.StatusInvalid, signing.SeverityError}} {
		signer := p.Signer()
		signer.Tweak = func(c *testpki.CMSSpec) { c.Unsigned = []testpki.Attr{attr(tc.values)} }
		spec := p.DeveloperIDSpec("com.example.split")
		spec.CMS = signer.CMS
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
		if r.Status() != tc.status {
			t.Errorf("%d values: status %s, want %s\n%s", tc.values, r.Status(), tc.status, dump(r))
		}
		n := 0
		for _, f := range r.Findings {
			if f.Rule != RuleUnownedSignatureData || f.Severity != tc.sev {
				t.Errorf("%d values: finding %s %s: %s", tc.values, f.Severity, f.Rule, f.Message)
			}
			n++
		}
		if n != tc.values+1 { // and the attribute's type
			t.Errorf("%d values: %d findings", tc.values, n)
		}
	}
}

// TestCMSBrokenTimestampPayload: a timestamp-token attribute whose value is
// no token (kilobytes of anything) makes the slice invalid; nothing
// vouches for its bytes.
func TestCMSBrokenTimestampPayload(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	signer := p.Signer()
	signer.TSA = nil // the only token is the hostile one
	signer.Tweak = func(c *testpki.CMSSpec) {
		c.Unsigned = []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}, Values: [][]byte{testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 500))}}}
	}
	spec := p.DeveloperIDSpec("com.example.broken-token")
	spec.CMS = signer.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
	if r.Status() != signing.StatusInvalid {
		t.Errorf("status %s, want invalid\n%s", r.Status(), dump(r))
	}
}

// TestAttackUnsignedAttributeTypes: unsigned attributes with no values used
// to pass unreported, though their types' OIDs are bytes nothing reads and
// an attacker picks freely: many such attributes, or one with a long OID,
// make the slice invalid; one short one is a warning.
func TestAttackUnsignedAttributeTypes(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	var many []testpki.Attr
	for i := range 12 {
		many = append(many, testpki.Attr{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 'P', 'A', 'Y', i}})
	}
	long := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999}
	oidToken := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	for range 20 {
		long = append(long, 100000)
	}
	for _, tc := range []struct {
		name   string
		attrs  []testpki.Attr
		status signing.Status
		sev    signing.Severity
	}{
		{"many types without values", many, signing.StatusInvalid, signing.SeverityError},
		{"one long type without values", []testpki.Attr{{Type: long}}, signing.StatusInvalid, signing.SeverityError},
		{"repeated timestamp-token types without values", slices.Repeat([]testpki.Attr{{Type: oidToken}}, 8), signing.StatusInvalid, signing.SeverityError},
		{"a payload token after an empty timestamp-token attribute", []testpki.Attr{{Type: oidToken}, {Type: oidToken, Values: [][]byte{testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 64))}}}, signing.StatusInvalid, signing.SeverityError},
		{"one short type without values", many[:1], signing.StatusValid, signing.SeverityWarning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := p.Signer()
			signer.Tweak = func(c *testpki.CMSSpec) { c.Unsigned = append(c.Unsigned, tc.attrs...) }
			spec := p.DeveloperIDSpec("com.example.types")
			spec.CMS = signer.CMS
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
			if err != nil {
				t.Fatal(err)
			}
			r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
			if r.Status() != tc.status {
				t.Errorf("status %s, want %s\n%s", r.Status(), tc.status, dump(r))
			}
			n := 0
			for _, f := range r.Findings {
				if f.Rule != RuleUnownedSignatureData {
					t.Errorf("finding %s %s: %s", f.Severity, f.Rule, f.Message)
				}
				if f.Severity == tc.sev {
					n++
				}
			}
			if n == 0 {
				t.Errorf("no %s %s finding", tc.sev, RuleUnownedSignatureData)
			}
		})
	}
}
