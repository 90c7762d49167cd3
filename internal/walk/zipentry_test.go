package walk

import (
	"archive/zip"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestZipEntryChecks: the shared checks of a zip entry keep a plain file,
// report a name's later copies once, and read neither an encrypted entry
// nor one that claims an absurd size (a check that only verify made
// before both walkers called ZipEntryChecks), nor one whose data overlaps
// another's.
func TestZipEntryChecks(t *testing.T) {
	file := func(name string, edit func(*zip.FileHeader)) *zip.File {
		h := zip.FileHeader{Name: name, Method: zip.Deflate, UncompressedSize64: 1}
		h.SetMode(0o644)
		if edit != nil {
			edit(&h)
		}
		return &zip.File{FileHeader: h}
	}
	c := &ZipEntryChecks{At: "r.zip", Done: "checked", Overlap: map[int]bool{5: true}}
	var got []string
	add := func(f signing.Finding) { got = append(got, string(f.Rule)+" "+f.Path) }
	for i, tc := range []struct {
		zf   *zip.File
		want ZipAction
	}{
		{file("a.txt", nil), ZipFile},
		{file("a.txt", nil), ZipFile},
		{file("a.txt", nil), ZipFile},
		{file("secret.bin", func(h *zip.FileHeader) { h.Flags |= 1 }), ZipSkip},
		{file("huge.bin", func(h *zip.FileHeader) { h.UncompressedSize64 = 1 << 63 }), ZipSkip},
		{file("over.bin", nil), ZipSkip},
	} {
		e := ZipEntry{File: tc.zf, Index: i, Path: tc.zf.Name, Key: tc.zf.Name}
		if act, _ := c.Check(e, add); act != tc.want {
			t.Errorf("%s: action %d, want %d", tc.zf.Name, act, tc.want)
		}
	}
	want := []string{"file/duplicate-entry a.txt", "file/unreadable secret.bin", "file/malformed huge.bin", "file/malformed over.bin"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
