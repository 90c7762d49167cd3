package container

import (
	"encoding/binary"
	"io"
)

// burnMagic starts a WiX Burn bundle's ".wixburn" section.
const burnMagic = 0x00f14300

// burnContainers returns where the containers of the WiX Burn bundle of
// size bytes at r lie, as the engine finds them (burn/engine/section.cpp):
// the ".wixburn" section gives the stub's size, the original (engine's)
// signature and each container's size; the bootstrapper application's
// container follows the stub, the attached ones follow the engine (the
// stub, that container and the engine's own signature, when it was signed
// before they were attached) one after the other. Only cabinet containers
// (format 1) inside the file are returned; nil when the file is no bundle.
func burnContainers(r io.ReaderAt, size int64) []Span {
	sec, ok := peSection(r, size, ".wixburn")
	if !ok || sec.size < 48 {
		return nil
	}
	b := make([]byte, min(sec.size, 48+4*maxAttachedCabinets))
	if n, _ := r.ReadAt(b, sec.off); n < len(b) {
		return nil
	}
	le := binary.LittleEndian
	stub, sigOff, sigSize := int64(le.Uint32(b[24:])), int64(le.Uint32(b[32:])), int64(le.Uint32(b[36:]))
	format, count := le.Uint32(b[40:]), int(le.Uint32(b[44:]))
	if le.Uint32(b) != burnMagic || format != 1 || count < 1 {
		return nil
	}
	count = min(count, (len(b)-48)/4)
	sizes := make([]int64, count)
	for i := range sizes {
		sizes[i] = int64(le.Uint32(b[48+4*i:]))
	}
	var out []Span
	add := func(off, n int64) {
		var m [4]byte
		if off > 0 && n >= 36 && off <= size-n {
			if k, _ := r.ReadAt(m[:], off); k == 4 && string(m[:]) == "MSCF" {
				out = append(out, Span{off, n})
			}
		}
	}
	add(stub, sizes[0])
	engine := stub + sizes[0]
	if sigOff != 0 {
		engine = sigOff + sigSize
	}
	for _, n := range sizes[1:] {
		add(engine, n)
		engine += n
	}
	return out
}

// peSectionData is a section's raw data range.
type peSectionData struct{ off, size int64 }

// peSection returns the raw data range of the PE file's first section
// named name (at most 8 bytes), when its headers can be read.
func peSection(r io.ReaderAt, size int64, name string) (peSectionData, bool) {
	var b [0x40]byte
	if n, _ := r.ReadAt(b[:], 0); n < len(b) {
		return peSectionData{}, false
	}
	le := binary.LittleEndian
	nt := int64(le.Uint32(b[0x3c:]))
	var fh [24]byte
	if n, _ := r.ReadAt(fh[:], nt); n < len(fh) || string(fh[:4]) != "PE\x00\x00" {
		return peSectionData{}, false
	}
	nsec := int64(le.Uint16(fh[6:]))
	secs := make([]byte, 40*min(nsec, 96))
	if n, _ := r.ReadAt(secs, nt+24+int64(le.Uint16(fh[20:]))); n < len(secs) {
		return peSectionData{}, false
	}
	var want [8]byte
	copy(want[:], name)
	for i := 0; i+40 <= len(secs); i += 40 {
		if string(secs[i:i+8]) == string(want[:]) {
			return peSectionData{int64(le.Uint32(secs[i+20:])), int64(le.Uint32(secs[i+16:]))}, true
		}
	}
	return peSectionData{}, false
}
