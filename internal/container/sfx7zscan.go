package container

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// maxSFX7zHeaders bounds the start headers an [SFX7zScanner] records.
const maxSFX7zHeaders = 16

// SFX7zScanner looks for 7-Zip start headers whose CRC matches, as
// [SFX7zOffset] does, in the first bytes 7-Zip's SFX modules search (see
// sfx7zLimit) of a file written to it in order from the start: a pass
// that reads every byte anyway (hashing) spares the walk a second read of
// a PE's overlay. It records, from where a PE's sections end, the markers
// of the archives a stub may carry that shipgate does not open as well:
// RAR in the file's first 4 MiB (see [RAROverlay]), OLE compound files,
// xz and cabinets in the first 8 (see [ArchiveInOverlay]) and a 7-Zip
// installer module's configuration in the first 1 (see sfx7zConfigs). It
// stops looking at a file that does not start as a PE does (see saw).
// The zero value is ready to use.
type SFX7zScanner struct {
	n    int64
	offs []int64 // the headers' offsets, in order
	full bool    // more than maxSFX7zHeaders were seen
	tail []byte  // the last bytes searched, less than a header
	// marks holds the offsets of each of overlayMarks' markers, in
	// order, and whether there were more than maxSFX7zHeaders.
	marks [len(overlayMarks)]markList
	// head holds the file's first peHead bytes, from which peEnd, where
	// a PE's sections end (0: none, or not known), is read once whole:
	// the markers are recorded from there on only.
	head  []byte
	peEnd int64
	// notPE is set once the file's first two bytes are not a DOS
	// header's "MZ": only a PE's records are ever asked for, so the
	// scanner stops looking (see saw).
	notPE bool
}

// peHead is how much of a file's start an [SFX7zScanner] keeps to read a
// PE's headers from.
const peHead = 4096

// markList is where a marker was seen, up to maxSFX7zHeaders times.
type markList struct {
	offs []int64
	full bool
}

// overlayMarks are the markers looked for after a PE's sections, each no
// further than limit into the file; valid, when set, tells a marker that
// starts its archive from bytes that only look like one. An
// [SFX7zScanner] records them only where a PE's sections end, in the
// overlay, where they are asked for: most start with bytes x64 code is
// full of (0x4d, a REX prefix; 0xd0; 0xfd), and searching them in every
// file's first 8 MiB slowed the hashing pass several times over (the
// scanner ran at 5.6 GB/s with RAR's marker, 2.4 GB/s with the OLE one
// too, 640 MB/s with "MSCF"); RAR's, searched from the file's start
// until the scanner stopped doing so, cost a third as much as hashing on
// random data.
var overlayMarks = [...]struct {
	name, magic string
	limit       int64
	valid       func(r io.ReaderAt, off, size int64) bool
}{
	{"RAR", rarMarker, rarSFXLimit, nil},
	{"OLE compound (an MSI installer?)", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", sfx7zLimit, nil},
	{"xz", "\xfd7zXZ\x00", sfx7zLimit, nil},
	{"Microsoft Cabinet", "MSCF", sfx7zLimit, cabinetAt},
	// Not an archive: where a 7-Zip installer module's configuration
	// may start (its marker's first 8 bytes, which bytes.Index finds
	// faster than all 17; see sfx7zConfigs), recorded so that its search
	// does not read the overlay again.
	{"7-Zip installer configuration", sfx7zConfigStart[:8], sfx7zConfigLimit, nil},
}

// markSFXConfig is overlayMarks' 7-Zip configuration marker.
const markSFXConfig = len(overlayMarks) - 1

// cabinetAt reports whether a cabinet's header starts at off of the file
// of size bytes at r: reserved1 zero, version 1.3, a cbCabinet that fits
// in the file, its files' entries inside it, a folder and a file.
func cabinetAt(r io.ReaderAt, off, size int64) bool {
	var h [36]byte
	if n, _ := r.ReadAt(h[:], off); n < len(h) {
		return false
	}
	le := binary.LittleEndian
	cb, files := int64(le.Uint32(h[8:])), int64(le.Uint32(h[16:]))
	return le.Uint32(h[4:]) == 0 && h[24] == 3 && h[25] == 1 && cb >= 36 && cb <= size-off && files >= 36 && files < cb && le.Uint16(h[26:]) > 0 && le.Uint16(h[28:]) > 0
}

// markRAR is overlayMarks' RAR marker.
const markRAR = 0

// Write looks at p, the file's next bytes. It never fails.
func (s *SFX7zScanner) Write(p []byte) (int, error) {
	start := s.n
	s.n += int64(len(p))
	if len(s.head) < peHead && !s.notPE {
		s.readHead(p, start)
	}
	if s.notPE || start >= sfx7zLimit+32 {
		return len(p), nil
	}
	q := p[:min(int64(len(p)), sfx7zLimit+32-start)]
	if len(s.tail) > 0 {
		// Headers that start in the tail and end in q.
		j := append(s.tail, q[:min(31, len(q))]...)
		s.find(j, start-int64(len(s.tail)), len(s.tail), len(s.tail))
	}
	s.find(q, start, len(q), 0)
	if len(q) >= 31 {
		s.tail = append(s.tail[:0], q[len(q)-31:]...)
	} else {
		s.tail = append(s.tail, q...)
		s.tail = s.tail[max(0, len(s.tail)-31):]
	}
	return len(p), nil
}

// readHead keeps p, the file's bytes from offset start, in s.head while
// it is short of peHead bytes; once whole, it reads where a PE's sections
// end from it and records the overlay's markers that lie whole in the
// bytes written before p (all in s.head, start being short of peHead),
// which Write looked at before it knew where the overlay starts; Write
// finds those that end in p.
func (s *SFX7zScanner) readHead(p []byte, start int64) {
	s.head = append(s.head, p[:min(len(p), peHead-len(s.head))]...)
	if len(s.head) >= 2 && string(s.head[:2]) != "MZ" {
		s.notPE = true
		return
	}
	if len(s.head) < peHead {
		return
	}
	// 0 for a file that is no PE, or whose section table lies past it.
	s.peEnd = PESectionsEnd(bytes.NewReader(s.head), 1<<62)
	if s.peEnd > 0 && s.peEnd < start {
		s.findOverlay(s.head[s.peEnd:start], s.peEnd, int(start-s.peEnd), 0)
	}
}

// findOverlay records the markers of overlayMarks in b,
// which starts at offset base, that start in b's first before bytes and
// after a PE's sections, and end past its first seen bytes: those were
// searched before (the last ones a write kept, searched again with the
// next write's first ones for what starts in them and ends there), and a
// marker in them is recorded already.
func (s *SFX7zScanner) findOverlay(b []byte, base int64, before, seen int) {
	if s.peEnd <= 0 {
		return
	}
	if cut := s.peEnd - base; cut > 0 {
		if cut >= int64(before) {
			return
		}
		b, base, before, seen = b[cut:], s.peEnd, before-int(cut), max(0, seen-int(cut))
	}
	for i := range overlayMarks {
		s.findMark(i, b, base, before, seen)
	}
}

// find records the headers of b, which starts at offset base, that start
// in b's first before bytes, and the overlay's markers (see findOverlay:
// a header, 32 bytes, cannot lie in the seen bytes, fewer).
func (s *SFX7zScanner) find(b []byte, base int64, before, seen int) {
	s.findOverlay(b, base, before, seen)
	sig := []byte(sevenz.Signature)
	for k := 0; k < before && !s.full; k++ {
		i := bytes.Index(b[k:], sig)
		if i < 0 || k+i >= before {
			return
		}
		if k += i; startHeader(b[k:]) {
			if len(s.offs) == maxSFX7zHeaders {
				s.full = true
				return
			}
			s.offs = append(s.offs, base+int64(k))
		}
	}
}

// findMark records the markers m of overlayMarks in b, which starts at
// offset base, that start in b's first before bytes and before the
// marker's limit, and end past its first seen bytes.
func (s *SFX7zScanner) findMark(m int, b []byte, base int64, before, seen int) {
	l, magic := &s.marks[m], []byte(overlayMarks[m].magic)
	for k := max(0, seen-len(magic)+1); k < before && !l.full; k++ {
		i := bytes.Index(b[k:], magic)
		if i < 0 || k+i >= before || base+int64(k+i) >= overlayMarks[m].limit {
			return
		}
		k += i
		if len(l.offs) == maxSFX7zHeaders {
			l.full = true
			return
		}
		l.offs = append(l.offs, base+int64(k))
	}
}

// Reset forgets the bytes written.
func (s *SFX7zScanner) Reset() {
	marks := s.marks
	for i := range marks {
		marks[i] = markList{offs: marks[i].offs[:0]}
	}
	*s = SFX7zScanner{offs: s.offs[:0], tail: s.tail[:0], marks: marks, head: s.head[:0]}
}

// offset is [SFX7zOffset] for the PE file of size bytes at r from what s
// saw; known is false when s cannot tell (it saw fewer or more bytes, or
// the bytes changed since).
func (s *SFX7zScanner) offset(r io.ReaderAt, size int64) (off int64, ok, known bool) {
	if !s.saw(size) {
		return 0, false, false
	}
	// The first header from the file's start is the one 7-Zip's modules
	// take (see [SFX7zOffset]); s records the first ones in order.
	if len(s.offs) == 0 || s.offs[0] >= sfx7zLimit {
		return 0, false, true
	}
	var h [32]byte
	if n, _ := r.ReadAt(h[:], s.offs[0]); n < len(h) || !startHeader(h[:]) {
		return 0, false, false
	}
	return s.offs[0], true, true
}

// rarMarker starts a RAR archive's marker block (RAR 1.5 to 4: then 0x00;
// RAR 5: then 0x01 0x00).
const rarMarker = "Rar!\x1a\x07"

// rarSFXLimit is how far into a file UnRAR, and WinRAR's SFX modules
// built from it, search for a RAR marker when the file does not start
// with one (MAXSFXSIZE, 4 MiB since UnRAR 7.1.1; 2 MiB and less before).
const rarSFXLimit = 4 << 20

// RAROverlay returns where the first RAR marker lies in [start, end) of
// the file of size bytes at r, within the first 4 MiB, where UnRAR and a
// WinRAR self-extractor's module find their archive however much junk
// precedes it: from what s saw of the file when it can tell (nil: read
// it).
func RAROverlay(r io.ReaderAt, size, start, end int64, s *SFX7zScanner) (int64, bool) {
	return findMarker(markRAR, r, size, start, end, s)
}

// ArchiveInOverlay returns the first marker in [start, end) of the file
// of size bytes at r, within its first 8 MiB, of an archive a stub may
// carry after its sections that shipgate does not open there, however
// much padding or other data precedes it: an OLE compound file (an MSI)
// or an xz stream, whose magic numbers (8 and 6 bytes) random data does
// not hold by chance, or a cabinet whose header is one (see cabinetAt;
// only those that follow the sections one after the other are opened, as
// attached cabinets). It looks from what s saw of the file when it can
// tell (it saw where the PE's sections end: see overlayMarks; nil: read
// it), and returns the archive's name.
func ArchiveInOverlay(r io.ReaderAt, size, start, end int64, s *SFX7zScanner) (name string, off int64, ok bool) {
	var best int64 = -1
	for m := range overlayMarks {
		if m == markRAR || m == markSFXConfig {
			continue
		}
		if o, found := findMarker(m, r, size, start, end, s); found && (best < 0 || o < best) {
			best, name = o, overlayMarks[m].name
		}
	}
	return name, best, best >= 0
}

// findMarker returns where the first marker m of overlayMarks (a valid
// one, when it says what that is) lies in [start, end) of the file of
// size bytes at r, within the marker's limit.
func findMarker(m int, r io.ReaderAt, size, start, end int64, s *SFX7zScanner) (int64, bool) {
	magic, valid := []byte(overlayMarks[m].magic), overlayMarks[m].valid
	if valid == nil {
		valid = func(io.ReaderAt, int64, int64) bool { return true }
	}
	end = min(end, size, overlayMarks[m].limit)
	if start < 0 || start >= end {
		return 0, false
	}
	if l := s.markList(m); s.saw(size) && !l.full && s.peEnd > 0 && start >= s.peEnd {
		for _, o := range l.offs {
			if o >= start && o < end && valid(r, o, size) {
				return o, true
			}
		}
		return 0, false
	}
	over := int64(len(magic) - 1)
	buf := make([]byte, min(end-start+over, sfx7zChunk))
	for at := start; at < end; {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), end+over-at)], at)
		if n < len(magic) {
			return 0, false
		}
		for k := 0; k < n; k++ {
			i := bytes.Index(buf[k:n], magic)
			if i < 0 || at+int64(k+i) >= end {
				break
			}
			if k += i; valid(r, at+int64(k), size) {
				return at + int64(k), true
			}
		}
		at += int64(n) - over
	}
	return 0, false
}

// markList returns the offsets s recorded of marker m (nil s: none).
func (s *SFX7zScanner) markList(m int) markList {
	if s == nil {
		return markList{}
	}
	return s.marks[m]
}

// saw reports whether s looked at every byte of the file of size bytes
// (nil: no). It looks no further than a file's first two bytes when they
// are not a DOS header's "MZ": every record it keeps is of a PE (a
// self-extractor's stub), and a file that is none, asked about, is read.
func (s *SFX7zScanner) saw(size int64) bool {
	return s != nil && s.n == size && !s.notPE
}
