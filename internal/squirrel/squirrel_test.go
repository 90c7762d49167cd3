package squirrel_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

var sample = []squirrel.BuildResource{
	{TypeID: 3, ID: 1, Data: []byte("an icon")},
	{Type: "DATA", ID: 131, Data: []byte("PK\x03\x04 the package")},
	{Type: "DATA", ID: 132, Data: []byte("4.5")},
}

func setup(t testing.TB) []byte {
	t.Helper()
	img, err := fixtures.SquirrelSetup(sample)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestResources(t *testing.T) {
	img := setup(t)
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(sample) {
		t.Fatalf("%d resources: %+v", len(rs), rs)
	}
	pkgs := 0
	for _, r := range rs {
		got := img[r.Offset : r.Offset+r.Size]
		if r.IsPackage() {
			pkgs++
			if string(got) != string(sample[1].Data) {
				t.Errorf("package holds %q", got)
			}
		}
		if r.Lang != 0x409 {
			t.Errorf("lang %x", r.Lang)
		}
	}
	if pkgs != 1 {
		t.Errorf("%d packages", pkgs)
	}
}

func TestNoResources(t *testing.T) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := squirrel.Resources(bytes.NewReader(img), int64(len(img))); !errors.Is(err, squirrel.ErrNoResources) {
		t.Errorf("got %v", err)
	}
}

// rsrc returns the file offset of the resource section's start.
func rsrc(t *testing.T, img []byte) int {
	in, err := pefile.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	return int(in.Sections[1].Offset)
}

// iconEntry returns the file offset of the icon's data entry: the type
// directory's second entry (named entries come first), its first name,
// its first language.
func iconEntry(b []byte, root int) int {
	le := binary.LittleEndian
	sub := func(at int) int { return root + int(le.Uint32(b[at+4:])&0x7fffffff) }
	names := sub(root + 16 + 8)
	langs := sub(names + 16)
	return sub(langs + 16)
}

// TestHostileDirectory corrupts the resource directory: a subdirectory
// pointing back at the root (a loop), a count of 65535 entries, data
// beyond the file. Each is a FormatError, never a hang or a panic.
func TestHostileDirectory(t *testing.T) {
	le := binary.LittleEndian
	for _, tc := range []struct {
		name string
		mod  func(b []byte, root int)
	}{
		{"loop to the root", func(b []byte, root int) { le.PutUint32(b[root+16+4:], 0x80000000) }},
		{"entry count", func(b []byte, root int) { le.PutUint16(b[root+14:], 0xffff) }},
		{"offset outside", func(b []byte, root int) { le.PutUint32(b[root+16+4:], 0x80fffff0) }},
		{"data outside", func(b []byte, root int) { le.PutUint32(b[iconEntry(b, root)+4:], 0x7fffffff) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := setup(t)
			tc.mod(img, rsrc(t, img))
			rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
			for _, r := range rs {
				if r.Offset+r.Size > int64(len(img)) {
					t.Errorf("resource outside the file: %+v", r)
				}
			}
			var fe *squirrel.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestBrokenSubtreeDoesNotHidePackage: a malformed entry elsewhere in the
// directory (the icon's data beyond the file) is reported, and the
// package, which Windows finds without reading the icon, is still
// returned.
func TestBrokenSubtreeDoesNotHidePackage(t *testing.T) {
	img := setup(t)
	root := rsrc(t, img)
	binary.LittleEndian.PutUint32(img[iconEntry(img, root)+4:], 0x7fffffff)
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	var fe *squirrel.FormatError
	if !errors.As(err, &fe) {
		t.Errorf("got %v", err)
	}
	found := false
	for _, r := range rs {
		found = found || r.IsPackage()
	}
	if !found {
		t.Errorf("the package was not returned: %+v", rs)
	}
}

// TestSevenZipAgrees cross-checks the resource reader against 7-Zip, which
// lists a PE's resources: the package it extracts as .rsrc/DATA/131 holds
// the bytes Resources locates.
func TestSevenZipAgrees(t *testing.T) {
	tool, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the resource cross-check was skipped")
	}
	img := setup(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "Setup.exe")
	os.WriteFile(in, img, 0o644)
	if out, err := exec.Command(tool, "x", "-y", "-o"+filepath.Join(dir, "x"), in).CombinedOutput(); err != nil {
		t.Fatalf("7z: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(dir, "x", ".rsrc", "DATA", "131"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.IsPackage() && string(img[r.Offset:r.Offset+r.Size]) == string(want) {
			return
		}
	}
	t.Errorf("7-Zip's DATA/131 (%d bytes) is not the package: %+v", len(want), rs)
}

func FuzzResources(f *testing.F) {
	img, err := fixtures.SquirrelSetup(sample)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img)
	// Named resources, as an IExpress stub's RT_RCDATA "CABINET".
	if img, err := fixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, Name: "CABINET", Data: []byte("MSCF")}, {TypeID: squirrel.RTRCData, Name: "RUNPROGRAM", Data: []byte("x\x00")}}); err == nil {
		f.Add(img)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, _ := squirrel.Resources(bytes.NewReader(b), int64(len(b)))
		for _, r := range rs {
			if r.Offset < 0 || r.Size < 0 || r.Offset+r.Size > int64(len(b)) {
				t.Fatalf("resource outside the file: %+v", r)
			}
		}
	})
}

// TestNamedResources reads resources named by strings (an IExpress
// stub's RT_RCDATA "CABINET"), and returns one whose data lies beyond the
// file with Err set, so that a caller looking for it by name reports it
// broken rather than absent.
func TestNamedResources(t *testing.T) {
	img, err := fixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, Name: "CABINET", Data: []byte("MSCF cab")}, {TypeID: squirrel.RTRCData, ID: 5, Data: []byte("five")}})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	if err != nil || len(rs) != 2 || rs[0].Name != "CABINET" || rs[0].TypeID != squirrel.RTRCData || string(img[rs[0].Offset:rs[0].Offset+rs[0].Size]) != "MSCF cab" || rs[1].NameID != 5 {
		t.Fatalf("%+v, %v", rs, err)
	}
	// The first data entry follows the directories: its size field is
	// the first "MSCF cab" length after the root.
	i := bytes.Index(img[rsrc(t, img):], []byte{8, 0, 0, 0})
	binary.LittleEndian.PutUint32(img[rsrc(t, img)+i:], 0x7ffffff0)
	rs, err = squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	var fe *squirrel.FormatError
	if !errors.As(err, &fe) || len(rs) != 2 || rs[0].Err == nil || rs[0].Size != 0 || rs[0].Err.Offset != int64(rsrc(t, img)+i-4) || rs[1].Err != nil {
		t.Errorf("%+v, %v", rs, err)
	}
}
