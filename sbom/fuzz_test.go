package sbom

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// FuzzBinary exercises the binary sniffing, architecture, PE resource and
// version-resource parsers: none may panic or allocate from an unchecked
// size.
func FuzzBinary(f *testing.F) {
	exe, err := electronfix.BuildPE(electronfix.PESpec{Code: []byte("x"), ProductVersion: "1.2.3.4", FileVersion: "1.2.3.4",
		Resources: []electronfix.PEResource{{Type: "INTEGRITY", Name: "ELECTRONASAR", Data: []byte(`[]`)}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(exe)
	f.Add(electronfix.BuildFat(electronfix.BuildMachO(electronfix.CPUx86_64, electronfix.MachDylib, []byte("a")),
		electronfix.BuildMachO(electronfix.CPUArm64, electronfix.MachDylib, []byte("b"))))
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kind := sniff(b, int64(len(b)))
		r := bytes.NewReader(b)
		archs(r, int64(len(b)), kind)
		if kind == KindPE {
			readPE(r, int64(len(b)))
		}
		versionStrings(b)
	})
}
