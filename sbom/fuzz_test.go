package sbom

import (
	"bytes"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/sevenz"
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
		if kind == filekind.PE {
			readPE(r, int64(len(b)))
		}
		versionStrings(b)
	})
}

// FuzzInstaller inventories hostile installers (an MSI, a cabinet, by the
// name's extension and the content; an NSIS installer, a 7-Zip archive, a
// self-extractor, by the content): no panic, and no path of the
// inventory outside the installer's name or climbing out of a folder.
func FuzzInstaller(f *testing.F) {
	dll, err := electronfix.BuildPE(electronfix.PESpec{Code: []byte("x"), FileVersion: "1.0.0.0"})
	if err != nil {
		f.Fatal(err)
	}
	inner := cab.Build([]cab.BuildFile{{Name: `lib\a.dll`, Data: dll}}, cab.BuildOptions{})
	f.Add(true, msiSpec{files: map[string][]byte{"bin/a.dll": dll, "inner.cab": inner}, binary: map[string][]byte{"CA": dll}}.build())
	f.Add(false, cab.Build([]cab.BuildFile{{Name: `x\a.dll`, Data: dll}, {Name: "in.cab", Data: inner}}, cab.BuildOptions{Method: cab.MethodMSZIP}))
	// NSIS installers (stored, deflate, solid LZMA with the x86 filter),
	// one with a zip appended, a 7-Zip archive and a self-extractor, made
	// by the fixture generators: detected by content, whatever the name.
	stub, err := pefile.Build(pefile.Spec{})
	if err != nil {
		f.Fatal(err)
	}
	sevenZ := sevenz.Build([]sevenz.BuildFile{{Name: "app/a.dll", Data: dll}, {Name: "readme.txt", Data: []byte("hi")}})
	payload := fuzzZip(f, map[string][]byte{"app/a.dll": dll, "node_modules/m/package.json": []byte(`{"name":"m","version":"1.0.0"}`)})
	nsisFiles := []nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: dll}, {Name: `$PLUGINSDIR\app.7z`, Data: sevenZ}, {Name: `$INSTDIR\sfx.exe`, Data: append(append([]byte(nil), stub...), payload...)}}
	for _, o := range []nsis.BuildOptions{{}, {Deflate: true}, {Solid: true, LZMA: true, X86: true}} {
		f.Add(false, nsis.Stub(stub, nsis.Build(nsisFiles, o)))
	}
	f.Add(false, append(nsis.Stub(stub, nsis.Build(nsisFiles, nsis.BuildOptions{Deflate: true})), payload...))
	f.Add(false, sevenZ)
	f.Add(true, append(append([]byte(nil), stub...), payload...))
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

// fuzzZip returns a zip archive of files, in name order.
func fuzzZip(f *testing.F, files map[string][]byte) []byte {
	b, err := pefixtures.Zip(0, files)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
