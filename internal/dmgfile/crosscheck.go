package dmgfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// CrossCheck checks the disk image img, built with the file system vol
// (Spec.HFS or Spec.APFS), with the tools installed, through files it
// writes in dir: dmg2img converts it to a raw image that holds the MBR
// sector, then vol byte for byte, and 7-Zip (`7z l`) lists each of names
// through the image. ran is false when neither tool is installed; err
// joins what went wrong and where a tool disagrees.
func CrossCheck(dir string, img, vol []byte, names ...string) (ran bool, err error) {
	d2i, err1 := exec.LookPath("dmg2img")
	sz, err2 := exec.LookPath("7z")
	if err1 != nil && err2 != nil {
		return false, nil
	}
	p := filepath.Join(dir, "v.dmg")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		return true, err
	}
	var errs []error
	if err1 == nil {
		errs = append(errs, dmg2imgHolds(d2i, p, filepath.Join(dir, "v.img"), vol))
	}
	if err2 == nil {
		errs = append(errs, sevenZipLists(sz, p, names))
	}
	return true, errors.Join(errs...)
}

// dmg2imgHolds converts the image at p with the dmg2img at d2i into raw,
// and checks that raw holds the MBR sector, then vol.
func dmg2imgHolds(d2i, p, raw string, vol []byte) error {
	if out, err := exec.Command(d2i, "-i", p, "-o", raw).CombinedOutput(); err != nil {
		return fmt.Errorf("dmg2img: %v\n%s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		return fmt.Errorf("dmg2img: %w", err)
	}
	if len(b) < 512+len(vol) || !bytes.Equal(b[512:512+len(vol)], vol) {
		return fmt.Errorf("dmg2img's raw image (%d bytes) does not hold the file system", len(b))
	}
	return nil
}

// sevenZipLists checks that the 7z at sz lists each of names in the
// image at p.
func sevenZipLists(sz, p string, names []string) error {
	out, err := exec.Command(sz, "l", p).CombinedOutput()
	for _, name := range names {
		if err != nil || !bytes.Contains(out, []byte(name)) {
			return fmt.Errorf("7z l does not list %q: %v\n%s", name, err, out)
		}
	}
	return nil
}
