package codesign

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackEntitlementFormsDisagree: the report shows a signature's XML
// entitlements, macOS grants its DER ones. A signer who writes a harmless
// XML dictionary over DER entitlements asking for get-task-allow showed
// reviewers the XML one with nothing said; the difference is a warning.
func TestAttackEntitlementFormsDisagree(t *testing.T) {
	p := machofile.NewPKI()
	cases := []struct {
		name string
		der  []byte
		warn bool
	}{
		{"agree", derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true}), false},
		{"der-grants-more", derEnts(map[string]bool{"com.apple.security.cs.allow-jit": true, "com.apple.security.get-task-allow": true}), true},
		{"der-garbage", []byte{0x70, 0x00}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := p.DeveloperIDSpec("com.example.app")
			spec.DEREntitlements = c.der
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 3}), spec)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			warned := false
			for _, f := range res.Findings {
				if f.Rule == RuleEntitlementsDisagree {
					warned = true
					if f.Severity != signing.SeverityWarning || f.Offset == nil {
						t.Errorf("finding %+v, want a warning with an offset", f)
					}
				}
			}
			if warned != c.warn {
				t.Errorf("warned %t, want %t\n%s", warned, c.warn, dump(res))
			}
		})
	}
}
