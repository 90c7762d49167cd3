package container

import (
	"bytes"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bodgit/sevenzip"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// sevenZipMode gives the permission and set-ID bits bsdtar -xp installs a
// 7-Zip archive's file with, whatever its attributes (with or without
// FILE_ATTRIBUTE_UNIX_EXTENSION, with or without a file type).
func TestSevenZipModeMatchesBsdtar(t *testing.T) {
	bsdtar, err := exec.LookPath("bsdtar")
	if err != nil {
		t.Skip("bsdtar not installed: sevenZipMode is not compared with libarchive")
	}
	if os.Geteuid() != 0 {
		t.Skip("not root: bsdtar -p keeps set-ID bits only for root")
	}
	for _, attrib := range []uint32{0x81ED8000, 0x8DED8000, 0x0DED8000, 0x8DED0020, 0x0DED0020, 0x85ED0000, 0x81FF8000, 0x01FF8000, 0x81FF0000, 0x83ED8000, 0x19ED8000, 0xC9ED8000} {
		arc := sevenz.Build([]sevenz.BuildFile{{Name: "tool", Data: []byte("#!/bin/sh\n"), Attrib: attrib}})
		dir := t.TempDir()
		in := filepath.Join(dir, "a.7z")
		if err := os.WriteFile(in, arc, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bsdtar, "-xpf", in)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("0x%08x: bsdtar: %v\n%s", attrib, err, out)
		}
		st, err := os.Lstat(filepath.Join(dir, "tool"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := sevenzip.NewReader(bytes.NewReader(arc), int64(len(arc)))
		if err != nil {
			t.Fatal(err)
		}
		const bits = iofs.ModeSetuid | iofs.ModeSetgid | iofs.ModeSticky | 0o7
		m, _ := sevenZipMode(&a.File[0].FileHeader)
		if got, want := m&bits, st.Mode()&bits; got != want {
			t.Errorf("0x%08x: sevenZipMode gives %v, bsdtar installs %v", attrib, got, want)
		}
	}
}
