package dmg

import (
	"fmt"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackKolyUnusedBytes: the koly trailer has room nothing reads: its
// reserved space around the code signature's fields, each CRC-32
// checksum's 124 bytes past its 32 bits, and reserved bytes at its end.
// In an unsigned image no hash covers them, and hdiutil leaves them zero:
// data there was hidden in an image that verified with only the unsigned
// warning. Reported; the code signature's fields, a checksum's bits and
// the segment UUID are not.
func TestAttackKolyUnusedBytes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		at  int
		bad bool
	}{
		{80 + 8 + 4, true},    // data fork checksum past its CRC-32
		{240, true},           // reserved, before the code signature's offset
		{320, true},           // reserved, after its length
		{352 + 8 + 100, true}, // master checksum past its CRC-32
		{505, true},           // reserved at the end
		{64, false},           // segment UUID
		{296, false},          // code signature offset (out of range: its own finding)
	} {
		t.Run(fmt.Sprint(c.at), func(t *testing.T) {
			b, _ := dmgfile.Build(dmgfile.Spec{})
			b[len(b)-512+c.at] = 0x41
			res := run(t, b)
			got := slices.ContainsFunc(res.Findings, func(f signing.Finding) bool {
				return f.Rule == RuleUnownedData && f.Severity == signing.SeverityError && f.Offset != nil && *f.Offset == int64(len(b)-512+c.at)
			})
			if got != c.bad {
				t.Errorf("reported %v\n%s", got, dump(res))
			}
		})
	}
	b, _ := dmgfile.Build(dmgfile.Spec{})
	expect(t, run(t, b), signing.StatusUnsigned, string(RuleUnsigned))
}
