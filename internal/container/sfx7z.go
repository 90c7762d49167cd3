package container

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// sfx7zHead is how much of a PE's overlay is searched for a 7-Zip
// self-extractor's archive, and sfx7zConfig how much when the overlay
// holds the configuration of 7-Zip's installer modules.
const (
	sfx7zHead   = 4 << 10
	sfx7zConfig = 64 << 10
)

// sfx7zInstall starts the configuration of 7-Zip's installer SFX modules
// (7zS.sfx, 7zSD.sfx): ";!@Install@!UTF-8!".
const sfx7zInstall = ";!@Install@!"

// SFX7zOffset returns where the 7-Zip archive starts that the PE file of
// size bytes at r carries as a 7-Zip self-extractor does (7zS2.sfx or
// 7zCon.sfx then the archive; 7zS.sfx or 7zSD.sfx, a configuration,
// ";!@Install@!UTF-8!" … ";!@InstallEnd@!", then the archive): the first
// 7-Zip start header whose CRC matches, as the modules take it and 7-Zip
// lists it (7z l -t7z), in the first 4 KiB from where the PE's sections
// end, or the first 64 KiB when those hold a configuration. The module
// extracts the archive and runs what it holds; the PE's signature covers
// the archive's bytes, not the signatures of the files in it. It returns
// false for a file that is no PE or carries no such archive.
func SFX7zOffset(r io.ReaderAt, size int64) (int64, bool) {
	start := PESectionsEnd(r, size)
	if start <= 0 || start >= size {
		return 0, false
	}
	buf := make([]byte, min(size-start, sfx7zHead))
	n, _ := r.ReadAt(buf, start)
	b := buf[:n]
	if bytes.Contains(b, []byte(sfx7zInstall)) && size-start > int64(n) {
		buf = make([]byte, min(size-start, sfx7zConfig))
		n, _ = r.ReadAt(buf, start)
		b = buf[:n]
	}
	for k := 0; ; k++ {
		i := bytes.Index(b[k:], []byte(sevenz.Signature))
		if i < 0 {
			return 0, false
		}
		if k += i; startHeader(b[k:]) {
			return start + int64(k), true
		}
	}
}

// startHeader reports whether b starts with a 7-Zip start header whose
// CRC matches.
func startHeader(b []byte) bool {
	return len(b) >= 32 && string(b[:6]) == sevenz.Signature && crc32.ChecksumIEEE(b[12:32]) == binary.LittleEndian.Uint32(b[8:])
}

// openSFX7z hands over the files of the 7-Zip archive a 7-Zip
// self-extractor carries (see [SFX7zOffset]) under the PE's own path, as
// the module extracts them; an NSIS installer, whose exehead reads its own
// data and no 7-Zip archive (one it stores raw, app-64.7z, is a file of
// its data), is not walked so.
func (w *walker) openSFX7z(ra io.ReaderAt, size int64) {
	off, ok := SFX7zOffset(ra, size)
	if !ok || detectPE(ra, size) == NSIS {
		return
	}
	w.open7z(io.NewSectionReader(ra, off, size-off), size-off)
}
