package codesign

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackFatSubtypeRelabel: no signature covers the fat header, so an
// attacker can relabel a validly signed arm64 slice as arm64e there (or
// x86_64 as x86_64h), changing the architecture reports show and which
// slice a loader picks. The fat entry must agree with the Mach-O header
// it names, up to the capability bits lipo may leave out.
func TestAttackFatSubtypeRelabel(t *testing.T) {
	p := machofile.NewPKI()
	arm, _ := signArch(t, machofile.CPUARM64, 41, p.DeveloperIDSpec("tool"))
	x86, _ := signArch(t, machofile.CPUX86_64, 42, p.DeveloperIDSpec("tool"))
	cases := []struct {
		name  string
		sub   uint32 // the arm64 slice's subtype in the fat header
		valid bool
	}{
		{"as-built", 0, true},
		{"capability-bits", 0x80000000, true},
		{"relabelled-arm64e", 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fat := machofile.Fat([]machofile.Arch{{Data: arm, CPU: machofile.CPUARM64, SubCPU: c.sub}, {Data: x86}}, false)
			res, err := Verify(bytes.NewReader(fat), int64(len(fat)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status() == signing.StatusValid; got != c.valid {
				t.Errorf("valid %t, want %t\n%s", got, c.valid, dump(res))
			}
			if !c.valid && res.Signatures[1].Status != signing.StatusValid {
				t.Errorf("the x86_64 slice, untouched, is %s", res.Signatures[1].Status)
			}
		})
	}
}
