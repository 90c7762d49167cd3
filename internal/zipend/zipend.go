// Package zipend finds the end of central directory record of a zip archive
// in a file, where extractors look for it: at the file's end, after any
// data (a self-extractor's PE or Mach-O stub, a junk prefix). verify and
// sbom share it, so both open the same archive in a file.
package zipend

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// A zip archive is found by its end of central directory record (APPNOTE
// 4.3.16), not by its first bytes: extractors read a zip from its end, so
// one can follow any data, its offsets adjusted to the file or not. The
// record is Len bytes and ends with a comment of up to 65535 bytes, so it
// starts within the last TailLen bytes of the archive.
const (
	Len     = 22
	TailLen = 0xffff + Len
)

// sig is the signature of an end of central directory record.
var sig = []byte("PK\x05\x06")

// End is an end of central directory record found in a file.
type End struct {
	Off int64 // where the record starts
	End int64 // where its comment ends: the archive is the bytes before
	// Valid says the central directory the record describes starts with
	// its signature where the record says, or the record is a ZIP64 one;
	// otherwise the record only ends one of the regions searched exactly.
	Valid bool
}

// Find looks for a zip end of central directory record in the TailLen
// bytes before each of ends (offsets in the file of size bytes at r: its
// size, and for a signed PE the start of its certificate table, which a
// signed self-extractor's archive precedes). It returns the last record
// (searching backward from each end in turn, as Go's archive/zip and
// Info-ZIP do) whose central directory is where it says, passing over an
// empty archive's record when an archive with entries precedes it (22
// bytes appended to a zip must not hide it from the walk, while extractors
// that know where it starts still read it); failing that, a record whose
// comment ends exactly at one of ends, with Valid false; or false. Random
// bytes that happen to read "PK\x05\x06" are neither: they are not
// reported. tail, when not empty, is the file's last bytes, which are not
// read again.
func Find(r io.ReaderAt, size int64, ends []int64, tail []byte) (End, bool, error) {
	var found, empty End
	ok, hasEmpty := false, false
	for _, limit := range ends {
		if limit <= 0 || limit > size {
			continue
		}
		start := max(0, limit-TailLen)
		var buf []byte
		if t := size - int64(len(tail)); start >= t {
			buf = tail[start-t : limit-t]
		} else {
			buf = make([]byte, limit-start)
			if n, err := r.ReadAt(buf, start); n < len(buf) {
				return End{}, false, fmt.Errorf("reading the %d bytes before offset %d: %w", len(buf), limit, err)
			}
		}
		sigs := Sigs(buf)
		for s := len(sigs) - 1; s >= 0; s-- {
			i := sigs[s]
			z := End{Off: start + int64(i)}
			z.End = z.Off + Len + int64(binary.LittleEndian.Uint16(buf[i+20:]))
			if z.End > size {
				continue // its comment runs past the file
			}
			if valid, none := DirectoryAt(r, z.Off, buf[i:i+Len]); valid && !none {
				z.Valid = true
				return z, true, nil
			} else if valid && !hasEmpty {
				z.Valid = true
				empty, hasEmpty = z, true
			}
			if !ok && slices.Contains(ends, z.End) {
				found, ok = z, true
			}
		}
	}
	if hasEmpty {
		return empty, true, nil
	}
	return found, ok, nil
}

// Sigs returns, ascending, the offsets in buf of the zip end record
// signatures followed by room for the record. They are found forward
// (bytes.Index is vectorised), and tried from the last.
func Sigs(buf []byte) []int {
	var sigs []int
	for o := 0; o <= len(buf)-Len; {
		k := bytes.Index(buf[o:len(buf)-Len+len(sig)], sig)
		if k < 0 {
			break
		}
		sigs = append(sigs, o+k)
		o += k + 1
	}
	return sigs
}

// DirectoryAt checks the end record rec (Len bytes), at offset off of r: an
// empty archive's record (empty is then true), a ZIP64 record with its
// locator just before, or one whose central directory starts with its
// signature ("PK\x01\x02") either right before the record or at the offset
// the record gives (archive/zip tries both: a self-extractor's offsets may
// or may not count its stub).
func DirectoryAt(r io.ReaderAt, off int64, rec []byte) (valid, empty bool) {
	le := binary.LittleEndian
	records, dirSize, dirOff := le.Uint16(rec[10:]), int64(le.Uint32(rec[12:])), int64(le.Uint32(rec[16:]))
	sigAt := func(at int64, sig string) bool {
		var b [4]byte
		n, _ := r.ReadAt(b[:], at)
		return at >= 0 && n == 4 && string(b[:]) == sig
	}
	switch {
	case records == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff:
		return off >= 20 && sigAt(off-20, "PK\x06\x07"), false
	case records == 0 && dirSize == 0:
		return true, true
	case records == 0 || dirSize < 46:
		return false, false // a directory record is at least 46 bytes
	}
	return (dirSize <= off && sigAt(off-dirSize, "PK\x01\x02")) || (dirOff+4 <= off && sigAt(dirOff, "PK\x01\x02")), false
}
