package codesign

import (
	"slices"
	"testing"
)

// TestGrantedWeakeningReusesDecoded checks that grantedWeakening reads the
// entitlements checkEntitlementForms decoded rather than decoding them
// again: the stored form answers even over bytes that do not decode.
func TestGrantedWeakeningReusesDecoded(t *testing.T) {
	t.Parallel()
	const k = "com.apple.security.cs.disable-library-validation"
	s := Slice{DEREntitlements: []byte{0xff}, ents: &decodedEntitlements{der: map[string]any{k: true}}}
	if got := grantedWeakening(s); !slices.Equal(got, []string{k}) {
		t.Errorf("grantedWeakening = %v, want [%s] from the decoded form", got, k)
	}
	s.ents = nil
	if got := grantedWeakening(s); len(got) != 0 {
		t.Errorf("grantedWeakening of undecodable DER = %v, want none", got)
	}
}
