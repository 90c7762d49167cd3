package nsis

import "io"

// Scanner looks for the firstheader as [Find] does (the first at an offset
// that is a multiple of 512), in a file's bytes written to it in order from
// the start: a pass that reads every byte anyway (hashing) spares Find a
// second read of the file. The zero value is ready to use.
type Scanner struct {
	n     int64
	found bool
	off   int64  // the firstheader's offset, when found
	cand  int64  // the offset of carry
	carry []byte // the start of a candidate the last write cut short
}

// Write looks at p, the file's next bytes. It never fails.
func (s *Scanner) Write(p []byte) (int, error) {
	n := int64(len(p))
	start := s.n
	s.n += n
	if s.found {
		return len(p), nil
	}
	if len(s.carry) > 0 {
		k := min(headerLen-len(s.carry), len(p))
		s.carry = append(s.carry, p[:k]...)
		if len(s.carry) < headerLen {
			return len(p), nil
		}
		if _, ok := parseFirst(s.carry); ok {
			s.found, s.off = true, s.cand
			return len(p), nil
		}
		s.carry = s.carry[:0]
	}
	for off := (start + alignment - 1) / alignment * alignment; off < start+n; off += alignment {
		i := off - start
		if i+headerLen > n {
			s.carry, s.cand = append(s.carry[:0], p[i:]...), off
			break
		}
		if _, ok := parseFirst(p[i:]); ok {
			s.found, s.off = true, off
			break
		}
	}
	return len(p), nil
}

// Reset forgets the bytes written.
func (s *Scanner) Reset() { *s = Scanner{carry: s.carry[:0]} }

// Find is [Find] for the file of size bytes at r whose bytes were all
// written to s: it reads only the firstheader s found, if any. Otherwise
// (s saw fewer or more bytes) it is Find.
func (s *Scanner) Find(r io.ReaderAt, size int64) (FirstHeader, error) {
	if s.n != size {
		return Find(r, size)
	}
	if !s.found {
		return FirstHeader{}, ErrNotNSIS
	}
	b := make([]byte, headerLen)
	if n, err := r.ReadAt(b, s.off); n < len(b) {
		return FirstHeader{}, &readError{off: s.off, err: err}
	}
	h, ok := parseFirst(b)
	if !ok {
		// The bytes changed since they were written: look again.
		return Find(r, size)
	}
	return checkFirst(h, s.off, size)
}
