package container

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
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

// maxAttachedCabinets bounds the cabinets a PE's overlay is walked for.
const maxAttachedCabinets = 16

// AttachedCabinets returns where the cabinets lie that the PE file of
// size bytes at r carries after its sections: a WiX Burn bundle's
// containers (the bootstrapper application's, then the payloads', MSI
// packages among them), which the engine extracts and runs, where its
// ".wixburn" section puts them (see burnContainers: the attached ones
// follow the engine's own signature when it was signed first); else the
// cabinets that follow one another from where the sections end, each
// starting with "MSCF" and a version 1.3 header whose cbCabinet fits in
// the file. The PE's signature covers their bytes, not the signatures of
// the files in them.
func AttachedCabinets(r io.ReaderAt, size int64) []Span {
	if spans := burnContainers(r, size); len(spans) > 0 {
		return spans
	}
	off := PESectionsEnd(r, size)
	if off <= 0 {
		return nil
	}
	var out []Span
	for len(out) < maxAttachedCabinets && off < size {
		var h [36]byte
		if n, _ := r.ReadAt(h[:], off); n < len(h) || string(h[:4]) != "MSCF" || h[24] != 3 || h[25] != 1 {
			break
		}
		n := int64(binary.LittleEndian.Uint32(h[8:]))
		if n < int64(len(h)) || n > size-off {
			break
		}
		out = append(out, Span{off, n})
		off += n
	}
	return out
}

// openAttached hands over what a PE carries after its sections: the
// files of a 7-Zip self-extractor's archive (see [SFX7zOffset]) under
// the PE's own path, as the module extracts them, or those of its
// attached cabinets (see [AttachedCabinets]) under
// <PE>/$ATTACHED/<offset>/. An NSIS installer, whose exehead reads its
// own data and no other archive (one it stores raw, app-64.7z, is a file
// of its data), is not walked so.
func (w *walker) openAttached(ra io.ReaderAt, size int64) {
	off, sfx := SFX7zOffset(ra, size)
	cabs := AttachedCabinets(ra, size)
	if !sfx && len(cabs) == 0 || detectPE(ra, size) == NSIS {
		return
	}
	if sfx {
		w.open7z(io.NewSectionReader(ra, off, size-off), size-off)
		return
	}
	for _, c := range cabs {
		at := release.JoinPath(w.at, fmt.Sprintf("$ATTACHED/%d", c.Offset))
		cr, err := cab.NewReader(io.NewSectionReader(ra, c.Offset, c.Size), c.Size)
		if err != nil {
			if w.ctx.Err() == nil {
				w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("the cabinet attached to the PE at offset %d cannot be read, so its files were not checked: %v", c.Offset, err))
			}
			continue
		}
		w.walkCab(cr, at, nil, nil)
	}
}
