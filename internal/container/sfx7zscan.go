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
// a PE's overlay. The zero value is ready to use.
type SFX7zScanner struct {
	n    int64
	offs []int64 // the headers' offsets, in order
	full bool    // more than maxSFX7zHeaders were seen
	tail []byte  // the last bytes searched, less than a header
}

// Write looks at p, the file's next bytes. It never fails.
func (s *SFX7zScanner) Write(p []byte) (int, error) {
	start := s.n
	s.n += int64(len(p))
	if s.full || start >= sfx7zLimit+32 {
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

// Reset forgets the bytes written.
func (s *SFX7zScanner) Reset() { *s = SFX7zScanner{offs: s.offs[:0], tail: s.tail[:0]} }

// offset is [SFX7zOffset] for the PE file of size bytes at r, whose
// sections end at start, from what s saw; known is false when s cannot
// tell (it saw fewer or more bytes, too many headers, or the bytes
// changed since).
func (s *SFX7zScanner) offset(r io.ReaderAt, size, start int64) (off int64, ok, known bool) {
	if s == nil || s.n != size {
		return 0, false, false
	}
	for _, o := range s.offs {
		if o < start || o >= sfx7zLimit {
			continue
		}
		// The first header from the file's start is the one 7-Zip's
		// modules take (see [SFX7zOffset]).
		o = min(o, s.offs[0])
		var h [32]byte
		if n, _ := r.ReadAt(h[:], o); n < len(h) || !startHeader(h[:]) {
			return 0, false, false
		}
		return o, true, true
	}
	return 0, false, !s.full
}
