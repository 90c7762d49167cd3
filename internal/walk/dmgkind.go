package walk

import (
	"encoding/binary"
	"io"

	"github.com/shipgate/shipgate/signing/dmg"
)

// HasKoly reports whether the last 512 bytes of the file are a version 4
// koly trailer of 512 bytes. hdr, the file's first bytes, saves the read
// when it holds the whole file.
func HasKoly(r io.ReaderAt, hdr []byte, size int64) bool {
	if size < dmg.KolySize {
		return false
	}
	if int64(len(hdr)) == size { // no buffer to allocate for a small file
		return IsKoly(hdr[size-dmg.KolySize:])
	}
	b := make([]byte, KolyHead)
	if n, _ := r.ReadAt(b, size-dmg.KolySize); n < len(b) {
		return false
	}
	return IsKoly(b)
}

// KolyHead is how many of a koly trailer's first bytes IsKoly looks at.
const KolyHead = 12

// IsKoly reports whether b, the first KolyHead bytes of a file's last
// dmg.KolySize bytes, start a version 4 koly trailer of dmg.KolySize bytes.
func IsKoly(b []byte) bool {
	return string(b[:4]) == "koly" && binary.BigEndian.Uint32(b[4:]) == 4 && binary.BigEndian.Uint32(b[8:]) == dmg.KolySize
}
