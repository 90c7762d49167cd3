package squirrel_test

import (
	"bytes"
	"encoding/binary"
	"errors"
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
		{"data outside", func(b []byte, root int) {
			// The first data entry follows the root, two directories.
			de := root + 16 + 8*3 + 24 + 24
			le.PutUint32(b[de+4:], 0x7fffffff)
		}},
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
	// The icon's (the first resource's) data entry: after the root and
	// its three entries, the icon's name and language directories.
	de := root + 16 + 8*3 + 24 + 24
	binary.LittleEndian.PutUint32(img[de+4:], 0x7fffffff)
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

func FuzzResources(f *testing.F) {
	img, err := fixtures.SquirrelSetup(sample)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img)
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, _ := squirrel.Resources(bytes.NewReader(b), int64(len(b)))
		for _, r := range rs {
			if r.Offset < 0 || r.Size < 0 || r.Offset+r.Size > int64(len(b)) {
				t.Fatalf("resource outside the file: %+v", r)
			}
		}
	})
}
