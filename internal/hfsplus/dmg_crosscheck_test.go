package hfsplus

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestCrossCheckDMG: a disk image holding a built volume (zero-fill, zlib
// and raw chunks) is converted by dmg2img, whose raw image holds the
// volume byte for byte, and listed by 7-Zip through the image.
func TestCrossCheckDMG(t *testing.T) {
	files := sample()
	files["big"] = BuildFile{Data: bytes.Repeat([]byte("0123456789abcdef"), 400000)} // several chunks
	vol := build(t, BuildSpec{Files: files, Name: "Vol"})
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	ran, err := dmgfile.CrossCheck(t.TempDir(), img, vol, "App.app/Contents/MacOS/App", "big")
	if !ran {
		t.Skip("neither dmg2img nor 7z (Debian p7zip-full) installed: the disk image is not cross-checked")
	}
	if err != nil {
		t.Error(err)
	}
}
