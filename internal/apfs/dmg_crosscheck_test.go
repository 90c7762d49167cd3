package apfs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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
	dir := t.TempDir()
	p := filepath.Join(dir, "v.dmg")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	ran := false
	if d2i, err := exec.LookPath("dmg2img"); err == nil {
		ran = true
		raw := filepath.Join(dir, "v.img")
		if out, err := exec.Command(d2i, "-i", p, "-o", raw).CombinedOutput(); err != nil {
			t.Fatalf("dmg2img: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(raw)
		// The MBR sector, then the container.
		if len(b) < 512+len(vol) || !bytes.Equal(b[512:512+len(vol)], vol) {
			t.Errorf("dmg2img's raw image (%d bytes) does not hold the container", len(b))
		}
	}
	if sz, err := exec.LookPath("7z"); err == nil {
		ran = true
		out, err := exec.Command(sz, "l", p).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("Example.app/Contents/MacOS/Example")) || !bytes.Contains(out, []byte("big")) {
			t.Errorf("7z l: %v\n%s", err, out)
		}
	}
	if !ran {
		t.Skip("neither dmg2img nor 7z installed: the disk image is not cross-checked")
	}
}
