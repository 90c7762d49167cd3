package codesign

import (
	"bytes"
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// A universal file whose header lists 45 or more entries (a count Java
// class versions share) is still universal when its table holds: filler
// entries must not hide an unsigned slice. A Java class file is not.
func TestFatManyArches(t *testing.T) {
	t.Parallel()
	arches := []machofile.Arch{{Data: machofile.Build(machofile.Spec{})}}
	for i := 0; i < 49; i++ {
		arches = append(arches, machofile.Arch{CPU: 0x7f000000 + uint32(i), Align: 4, Data: []byte("filler!!")})
	}
	fat := machofile.Fat(arches, false)
	res, err := Verify(bytes.NewReader(fat), int64(len(fat)), Options{})
	var fe *FormatError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("err %v", err)
	}
	if res == nil || !res.Universal || len(res.Signatures) == 0 {
		t.Fatalf("not verified as universal: %+v, %v", res, err)
	}
	if res.Signatures[0].Status != signing.StatusUnsigned {
		t.Errorf("real slice: status %s, want unsigned", res.Signatures[0].Status)
	}
	class := append([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0x1d, 0x0a, 0, 0x06, 0, 0x0f}, make([]byte, 3000)...)
	if _, err := Verify(bytes.NewReader(class), int64(len(class)), Options{}); !errors.Is(err, ErrNotMachO) {
		t.Errorf("java class: err %v, want ErrNotMachO", err)
	}
}
