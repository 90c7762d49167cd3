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

// sfx7zLimit is how far into a PE file a 7-Zip self-extractor's archive
// is searched for: 7-Zip's SFX modules search for the first start header
// whose CRC matches from the file's start, 7zS2.sfx (FindSignature, in
// C/Util/SfxSetup/SfxSetup.c) until it is past kSignatureSearchLimit
// (4 MiB), reading 32 KiB at a time, and 7zS.sfx and 7zSD.sfx, which open
// it as 7-Zip does, to kMaxCheckStartPosition (8 MiB, in
// CPP/7zip/UI/Common/OpenArchive.cpp; 7z l -t7z lists an archive 8 MiB
// less 4 KiB in, not one 8 MiB and 64 KiB in). Junk padded between the
// stub and its archive does not stop them.
const sfx7zLimit = 8<<20 + 32<<10

// sfx7zChunk is how much of the overlay is read at a time while it is
// searched for a 7-Zip start header.
const sfx7zChunk = 64 << 10

// SFX7zOffset returns where the 7-Zip archive starts that the PE file of
// size bytes at r carries as a 7-Zip self-extractor does (7zS2.sfx or
// 7zCon.sfx then the archive; 7zS.sfx or 7zSD.sfx, a configuration,
// ";!@Install@!UTF-8!" … ";!@InstallEnd@!", then the archive): the first
// 7-Zip start header whose CRC matches, as the modules take it and 7-Zip
// lists it (7z l -t7z), no further than 7-Zip's modules search (see
// sfx7zLimit), from the file's start: the modules know nothing of the
// PE's sections, so an archive a stub's last section was grown to cover
// (or a resource holds) is the one they extract. The module extracts the
// archive and runs what it holds; the PE's signature covers the archive's
// bytes, not the signatures of the files in it. It returns false for a
// file that is no PE or carries no such archive.
func SFX7zOffset(r io.ReaderAt, size int64) (int64, bool) {
	return sfx7zOffset(r, size, nil)
}

// sfx7zOffset is [SFX7zOffset], from what s saw of the file when it can
// tell (see [SFX7zScanner]).
func sfx7zOffset(r io.ReaderAt, size int64, s *SFX7zScanner) (int64, bool) {
	if PESectionsEnd(r, size) <= 0 {
		return 0, false
	}
	if off, ok, known := s.offset(r, size); known {
		return off, ok
	}
	return findStartHeader(r, 0, min(size, sfx7zLimit), size)
}

// findStartHeader returns the offset of the first 7-Zip start header
// whose CRC matches that starts in [from, to) of the file of size bytes at
// r, reading sfx7zChunk bytes at a time.
func findStartHeader(r io.ReaderAt, from, to, size int64) (int64, bool) {
	end := min(size, to+31)
	if from >= to || end-from < 32 {
		return 0, false
	}
	buf := make([]byte, min(end-from, sfx7zChunk))
	sig := []byte(sevenz.Signature)
	for at := from; at < to; {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), end-at)], at)
		if n < 32 {
			return 0, false
		}
		b := buf[:n]
		for k := 0; ; k++ {
			i := bytes.Index(b[k:], sig)
			if i < 0 || k+i+32 > n || at+int64(k+i) >= to {
				break
			}
			if k += i; startHeader(b[k:]) {
				return at + int64(k), true
			}
		}
		// The next chunk overlaps this one by a start header, less a byte.
		at += int64(n) - 31
	}
	return 0, false
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
	off, sfx := sfx7zOffset(ra, size, w.v.SFX7z)
	cabs := AttachedCabinets(ra, size)
	if !sfx && len(cabs) == 0 || detectPE(ra, size, w.v.NSIS, w.v.SFX7z, w.v.Resources) == NSIS {
		return
	}
	if sfx {
		w.sfx7zConfig(ra, size, w.v.SFX7z)
		w.open7z(io.NewSectionReader(ra, off, size-off), size-off)
		return
	}
	w.burnDownloads(ra, size)
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
