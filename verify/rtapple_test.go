package verify

import (
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAppleTrustExcludesMicrosoftRoots: Apple code signatures are anchored
// by Apple's embedded roots and the policy's own roots only. Microsoft
// Identity Verification Root Certificate Authority 2020 anchors the
// certificates Azure Trusted Signing issues to any validated customer: had
// it anchored Apple chains, a Mach-O signed with such a Windows
// certificate would be "valid" under `require: valid`, which no Mac
// accepts.
func TestAppleTrustExcludesMicrosoftRoots(t *testing.T) {
	old := systemRootFiles
	systemRootFiles = []string{}
	t.Cleanup(func() { systemRootFiles = old })
	for name, pol := range map[string]*Policy{
		"default":         {},
		"no system roots": {Trust: Trust{System: new(false)}},
	} {
		t.Run(name, func(t *testing.T) {
			trust, apple, err := pol.trustStores()
			if err != nil {
				t.Fatal(err)
			}
			names := func(ts *signing.TrustStore) map[string]bool {
				m := map[string]bool{}
				for _, s := range ts.Sources() {
					m[string(s.Kind)+"/"+s.Name] = true
				}
				return m
			}
			if got := names(trust); !got["embedded/microsoft"] || !got["embedded/apple"] {
				t.Errorf("Authenticode trust sources %v", got)
			}
			got := names(apple)
			if got["embedded/microsoft"] || got["system/"] || !got["embedded/apple"] {
				t.Errorf("Apple trust sources %v, want Apple's embedded roots alone", got)
			}
			for _, s := range apple.Sources() {
				if s.Kind == signing.TrustSystem {
					t.Errorf("Apple trust has a system source %+v", s)
				}
			}
		})
	}
}
