package container

import (
	"encoding/binary"
	"io"
)

// PECertTable returns the file offset of the certificate table of the PE
// file of size bytes at r (DataDirectory[4], whose address is a file
// offset), when the headers give one inside the file.
func PECertTable(r io.ReaderAt, size int64) (int64, bool) {
	var b [0x40]byte
	if n, _ := r.ReadAt(b[:], 0); n < len(b) {
		return 0, false
	}
	nt := int64(binary.LittleEndian.Uint32(b[0x3c:]))
	// Signature, file header (20 bytes), then the optional header up to
	// and including DataDirectory[4] of a PE32+ image (112 + 5*8 bytes).
	var h [4 + 20 + 112 + 40]byte
	n, _ := r.ReadAt(h[:], nt)
	if n < 4+20+2 || string(h[:4]) != "PE\x00\x00" {
		return 0, false
	}
	le := binary.LittleEndian
	optSize := int(le.Uint16(h[4+16:]))
	opt := h[24:n]
	var dirs, count int
	switch le.Uint16(opt) {
	case 0x10b:
		dirs, count = 96, 92
	case 0x20b:
		dirs, count = 112, 108
	default:
		return 0, false
	}
	if len(opt) < dirs+40 || optSize < dirs+40 || le.Uint32(opt[count:]) < 5 {
		return 0, false
	}
	off, sz := int64(le.Uint32(opt[dirs+32:])), int64(le.Uint32(opt[dirs+36:]))
	if off == 0 || sz == 0 || off >= size {
		return 0, false
	}
	return off, true
}

// PESectionsEnd returns the file offset where the raw data of the PE
// file's sections ends (0 when the headers cannot be read): where an NSIS
// stub's data starts.
func PESectionsEnd(r io.ReaderAt, size int64) int64 {
	var b [0x40]byte
	if n, _ := r.ReadAt(b[:], 0); n < len(b) {
		return 0
	}
	le := binary.LittleEndian
	nt := int64(le.Uint32(b[0x3c:]))
	var fh [24]byte
	if n, _ := r.ReadAt(fh[:], nt); n < len(fh) || string(fh[:4]) != "PE\x00\x00" {
		return 0
	}
	nsec := int64(le.Uint16(fh[6:]))
	secs := make([]byte, 40*min(nsec, 96))
	if n, _ := r.ReadAt(secs, nt+24+int64(le.Uint16(fh[20:]))); n < len(secs) {
		return 0
	}
	var end int64
	for i := 0; i+40 <= len(secs); i += 40 {
		raw, ptr := int64(le.Uint32(secs[i+16:])), int64(le.Uint32(secs[i+20:]))
		if raw > 0 {
			end = max(end, ptr+raw)
		}
	}
	return min(end, size)
}
