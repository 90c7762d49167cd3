package container

import (
	"bytes"
	"io"

	"github.com/shipgate/shipgate/internal/sevenz"
)

// maxSFX7zHeaders bounds the start headers an [SFX7zScanner] records.
const maxSFX7zHeaders = 16

// SFX7zScanner looks for 7-Zip start headers whose CRC matches, as
// [SFX7zOffset] does, in the first bytes 7-Zip's SFX modules search (see
// sfx7zLimit) of a file written to it in order from the start: a pass
// that reads every byte anyway (hashing) spares the walk a second read of
// a PE's overlay. It records the RAR markers of the first 4 MiB as well
// (see [RAROverlay]). The zero value is ready to use.
type SFX7zScanner struct {
	n    int64
	offs []int64 // the headers' offsets, in order
	full bool    // more than maxSFX7zHeaders were seen
	tail []byte  // the last bytes searched, less than a header
	// rar holds the offsets of RAR markers (see [RAROverlay]), rarFull
	// whether there were more than maxSFX7zHeaders.
	rar     []int64
	rarFull bool
}

// Write looks at p, the file's next bytes. It never fails.
func (s *SFX7zScanner) Write(p []byte) (int, error) {
	start := s.n
	s.n += int64(len(p))
	if s.full && s.rarFull || start >= sfx7zLimit+32 {
		return len(p), nil
	}
	q := p[:min(int64(len(p)), sfx7zLimit+32-start)]
	if len(s.tail) > 0 {
		// Headers that start in the tail and end in q.
		j := append(s.tail, q[:min(31, len(q))]...)
		s.find(j, start-int64(len(s.tail)), len(s.tail))
	}
	s.find(q, start, len(q))
	if len(q) >= 31 {
		s.tail = append(s.tail[:0], q[len(q)-31:]...)
	} else {
		s.tail = append(s.tail, q...)
		s.tail = s.tail[max(0, len(s.tail)-31):]
	}
	return len(p), nil
}

// find records the headers of b, which starts at offset base, that start
// in b's first before bytes.
func (s *SFX7zScanner) find(b []byte, base int64, before int) {
	s.findRAR(b, base, before)
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

// findRAR records the RAR markers of b, which starts at offset base, that
// start in b's first before bytes and before rarSFXLimit.
func (s *SFX7zScanner) findRAR(b []byte, base int64, before int) {
	for k := 0; k < before && !s.rarFull; k++ {
		i := bytes.Index(b[k:], []byte(rarMarker))
		if i < 0 || k+i >= before || base+int64(k+i) >= rarSFXLimit {
			return
		}
		k += i
		if len(s.rar) == maxSFX7zHeaders {
			s.rarFull = true
			return
		}
		s.rar = append(s.rar, base+int64(k))
	}
}

// Reset forgets the bytes written.
func (s *SFX7zScanner) Reset() {
	*s = SFX7zScanner{offs: s.offs[:0], tail: s.tail[:0], rar: s.rar[:0]}
}

// offset is [SFX7zOffset] for the PE file of size bytes at r from what s
// saw; known is false when s cannot tell (it saw fewer or more bytes, or
// the bytes changed since).
func (s *SFX7zScanner) offset(r io.ReaderAt, size int64) (off int64, ok, known bool) {
	if s == nil || s.n != size {
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
	end = min(end, size, rarSFXLimit)
	if start < 0 || start >= end {
		return 0, false
	}
	if s != nil && s.n == size && !s.rarFull {
		for _, o := range s.rar {
			if o >= start && o < end {
				return o, true
			}
		}
		return 0, false
	}
	buf := make([]byte, min(end-start+5, sfx7zChunk))
	for at := start; at < end; {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), end+5-at)], at)
		if n < len(rarMarker) {
			return 0, false
		}
		if i := bytes.Index(buf[:n], []byte(rarMarker)); i >= 0 && at+int64(i) < end {
			return at + int64(i), true
		}
		at += int64(n) - 5
	}
	return 0, false
}
