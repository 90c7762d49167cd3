package codesign

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackFatSliceMisaligned: no signature covers the fat header, so
// anyone can move a slice and rewrite its offset. A slice at an offset
// that is not a multiple of the 2^align its entry declares, or not
// page-aligned, cannot be mapped by the kernel (load_segment refuses a
// segment whose file offset is not page-aligned) or dyld: the file is
// not the one that was built, yet every slice's signature still
// verifies. It passed without a finding.
func TestAttackFatSliceMisaligned(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	arm, _ := signArch(t, machofile.CPUARM64, 31, p.DeveloperIDSpec("tool"))
	x86, _ := signArch(t, machofile.CPUX86_64, 32, p.DeveloperIDSpec("tool"))
	fat := machofile.Fat([]machofile.Arch{{Data: x86, Align: 12}, {Data: arm, Align: 12}}, false)
	e := fat[8+20:] // the second entry
	off := binary.BigEndian.Uint32(e[8:])
	for _, tc := range []struct {
		name  string
		shift int
		align uint32
		bad   bool
	}{
		{"aligned", 0, 12, false},
		{"off-by-16", 16, 12, true},
		{"off-by-16-align-4", 16, 4, true}, // the entry claims 16-byte alignment: still no page
		{"next-page", 4096, 12, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append(append(append([]byte{}, fat[:off]...), make([]byte, tc.shift)...), fat[off:]...)
			be := b[8+20:]
			binary.BigEndian.PutUint32(be[8:], off+uint32(tc.shift))
			binary.BigEndian.PutUint32(be[16:], tc.align)
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := hasRule(res, RuleMalformed); got != tc.bad {
				t.Errorf("%s reported: %v, want %v\n%s", RuleMalformed, got, tc.bad, dump(res))
			}
			for i, s := range res.Signatures {
				if s.Status != signing.StatusValid {
					t.Errorf("slice %d: %s, want valid (its own signature holds)", i, s.Status)
				}
			}
		})
	}
}

// TestFatObjectSliceNotPageAligned: lipo aligns a relocatable object's
// slice only to its largest section alignment (2^3 at least for arm64),
// so a fat .o made by lipo has its first slice at 0x30. Nothing maps an
// object file: it is not malformed, only unsigned. An executable slice at
// the same offset is.
func TestFatObjectSliceNotPageAligned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fileType uint32
		bad      bool
	}{
		{"object", mhObject, false},
		{"executable", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := func(cpu uint32, seed uint64) []byte {
				b := machofile.Build(machofile.Spec{CPU: cpu, Seed: seed, CodeSize: 6000})
				binary.LittleEndian.PutUint32(b[12:], tc.fileType)
				return b
			}
			fat := machofile.Fat([]machofile.Arch{{Data: mk(machofile.CPUARM64, 41), Align: 3}, {Data: mk(machofile.CPUX86_64, 42), Align: 12}}, false)
			if off := binary.BigEndian.Uint32(fat[8+8:]); off%4096 == 0 {
				t.Fatalf("first slice at %#x: the test needs one off the page", off)
			}
			res, err := Verify(bytes.NewReader(fat), int64(len(fat)), Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := hasRule(res, RuleMalformed); got != tc.bad {
				t.Errorf("%s reported: %v, want %v\n%s", RuleMalformed, got, tc.bad, dump(res))
			}
		})
	}
}
