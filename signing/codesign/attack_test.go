package codesign

import (
	"bytes"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestCMSOwnershipSplitPayload: a payload cut into unsigned attribute values
// of at most 16 bytes each makes the slice invalid, though one such value
// alone is a warning.
func TestCMSOwnershipSplitPayload(t *testing.T) {
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
		if n != tc.values {
			t.Errorf("%d values: %d findings", tc.values, n)
		}
	}
}

// TestCMSBrokenTimestampPayload: a timestamp-token attribute whose value is
// no token (kilobytes of anything) makes the slice invalid; nothing
// vouches for its bytes.
func TestCMSBrokenTimestampPayload(t *testing.T) {
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
