package release

import (
	"encoding/binary"
	"testing"
)

// FuzzZipXLDisagrees reads any extra field block without panicking, and
// finds a disagreement only in an "xl" field.
func FuzzZipXLDisagrees(f *testing.F) {
	f.Add([]byte{0x78, 0x6c, 7, 0, 0x05, 20, 3, 0, 0, 0xff, 0xa1}, uint8(3), uint32(0x81a40000))
	f.Add([]byte{0x78, 0x6c, 1, 0, 0x07}, uint8(0), uint32(0))
	f.Add([]byte{0x75, 0x70, 5, 0, 1, 0, 0, 0, 0}, uint8(3), uint32(0))
	f.Fuzz(func(t *testing.T, extra []byte, host uint8, ext uint32) {
		why := ZipXLDisagrees(extra, host, ext)
		if why == "" {
			return
		}
		for b := extra; len(b) >= 4; {
			tag, n := binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
			if tag == ZipXLID {
				return
			}
			if n > len(b)-4 {
				break
			}
			b = b[4+n:]
		}
		t.Errorf("a disagreement (%s) without an xl field", why)
	})
}
