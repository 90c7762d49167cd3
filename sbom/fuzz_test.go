package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
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

// FuzzInstaller inventories hostile installers (an MSI, a cabinet, by the
// name's extension and the content): no panic, and no path of the
// inventory outside the installer's name or climbing out of a folder.
func FuzzInstaller(f *testing.F) {
	dll, err := electronfix.BuildPE(electronfix.PESpec{Code: []byte("x"), FileVersion: "1.0.0.0"})
	if err != nil {
		f.Fatal(err)
	}
	inner := cab.Build([]cab.BuildFile{{Name: `lib\a.dll`, Data: dll}}, cab.BuildOptions{})
	f.Add(true, msiSpec{files: map[string][]byte{"bin/a.dll": dll, "inner.cab": inner}, binary: map[string][]byte{"CA": dll}}.build())
	f.Add(false, cab.Build([]cab.BuildFile{{Name: `x\a.dll`, Data: dll}, {Name: "in.cab", Data: inner}}, cab.BuildOptions{Method: cab.MethodMSZIP}))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, isMSI bool, b []byte) {
		name := "f.cab"
		if isMSI {
			name = "f.msi"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		inv, err := Open(p, Options{Workers: 1})
		if err != nil {
			return
		}
		for _, fi := range inv.Files {
			if fi.Path != name && !strings.HasPrefix(fi.Path, name+"/") || slices.Contains(strings.Split(fi.Path, "/"), "..") {
				t.Errorf("path %q", fi.Path)
			}
		}
	})
}
