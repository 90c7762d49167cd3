package apfs

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestCrossCheckDMG: a disk image holding a built container (zlib and
// raw chunks, dmgfile.Spec.APFS) is listed by 7-Zip through the image,
// and dmg2img's raw image holds the container byte for byte.
func TestCrossCheckDMG(t *testing.T) {
	files := sample()
	files["big"] = BuildFile{Data: bytes.Repeat([]byte("0123456789abcdef"), 400000)} // several chunks
	vol := build(t, BuildSpec{Files: files, Name: "Vol"})
	img, _ := dmgfile.Build(dmgfile.Spec{APFS: vol})
	ran, err := dmgfile.CrossCheck(t.TempDir(), img, vol, "Example.app/Contents/MacOS/Example", "big")
	if !ran {
		t.Skip("neither dmg2img nor 7z installed: the disk image is not cross-checked")
	}
	if err != nil {
		t.Error(err)
	}
}
