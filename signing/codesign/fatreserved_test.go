package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// A 64-bit fat header's entries end in a 4-byte reserved field that lipo
// writes as zero and no loader reads. No signature covers the fat header,
// so non-zero bytes there are data hidden in the file: they must be
// reported, as bytes between the slices are.
func TestAttackFat64ReservedField(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	arm, _ := signArch(t, machofile.CPUARM64, 31, p.DeveloperIDSpec("libffmpeg"))
	x86, _ := signArch(t, machofile.CPUX86_64, 32, p.DeveloperIDSpec("libffmpeg"))
	for _, c := range []struct {
		name     string
		reserved uint32
		want     signing.Status
	}{
		{"zero", 0, signing.StatusValid},
		{"payload", 0x41414141, signing.StatusInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			fat := machofile.Fat([]machofile.Arch{{Data: arm}, {Data: x86}}, true)
			binary.BigEndian.PutUint32(fat[8+32+28:], c.reserved) // entry 1's reserved field
			res, err := Verify(bytes.NewReader(fat), int64(len(fat)), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status(); got != c.want {
				t.Fatalf("status %s, want %s\n%s", got, c.want, dump(res))
			}
			reported := false
			for _, f := range res.Findings {
				if f.Rule == RuleDataOutsideSlices && f.Offset != nil && *f.Offset == 8+32+28 {
					reported = true
				}
			}
			if reported != (c.reserved != 0) {
				t.Errorf("reserved field reported: %v\n%s", reported, dump(res))
			}
		})
	}
}
