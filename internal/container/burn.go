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
	h, ok := readBurnSection(r, size)
	if !ok {
		return nil
	}
	var out []Span
	add := func(off, n int64) {
		if burnCabinet(r, size, off, n) {
			out = append(out, Span{off, n})
		}
	}
	add(h.stub, h.sizes[0])
	engine := h.stub + h.sizes[0]
	if h.sigOff != 0 {
		engine = h.sigOff + h.sigSize
	}
	for _, n := range h.sizes[1:] {
		add(engine, n)
		engine += n
	}
	return out
}

// burnUX returns where the WiX Burn bundle of size bytes at r keeps its
// bootstrapper application's container (the first, after the stub), when
// it is a cabinet inside the file: the engine takes the first file of
// that container for its manifest.
func burnUX(r io.ReaderAt, size int64) (Span, bool) {
	h, ok := readBurnSection(r, size)
	if !ok || !burnCabinet(r, size, h.stub, h.sizes[0]) {
		return Span{}, false
	}
	return Span{h.stub, h.sizes[0]}, true
}

// burnSection is what a ".wixburn" section says of its bundle's layout:
// the stub's size (where the first container starts), the engine's
// original signature, and the containers' sizes (at least one).
type burnSection struct {
	stub, sigOff, sigSize int64
	sizes                 []int64
}

// readBurnSection reads the ".wixburn" section of the PE file of size
// bytes at r, when it is a bundle's whose containers are cabinets.
func readBurnSection(r io.ReaderAt, size int64) (burnSection, bool) {
	sec, ok := peSection(r, size, ".wixburn")
	if !ok || sec.size < 48 {
		return burnSection{}, false
	}
	b := make([]byte, min(sec.size, 48+4*maxAttachedCabinets))
	if n, _ := r.ReadAt(b, sec.off); n < len(b) {
		return burnSection{}, false
	}
	le := binary.LittleEndian
	h := burnSection{stub: int64(le.Uint32(b[24:])), sigOff: int64(le.Uint32(b[32:])), sigSize: int64(le.Uint32(b[36:]))}
	format, count := le.Uint32(b[40:]), int(le.Uint32(b[44:]))
	if le.Uint32(b) != burnMagic || format != 1 || count < 1 {
		return burnSection{}, false
	}
	// A section too short for one size names no container (the
	// engine reads them from the section; a size past it is not one).
	if count = min(count, (len(b)-48)/4); count < 1 {
		return burnSection{}, false
	}
	h.sizes = make([]int64, count)
	for i := range h.sizes {
		h.sizes[i] = int64(le.Uint32(b[48+4*i:]))
	}
	return h, true
}

// burnCabinet reports whether n bytes at off of the file of size bytes
// at r lie inside it and start with a cabinet's signature.
func burnCabinet(r io.ReaderAt, size, off, n int64) bool {
	var m [4]byte
	if off <= 0 || n < 36 || off > size-n {
		return false
	}
	k, _ := r.ReadAt(m[:], off)
	return k == 4 && string(m[:]) == "MSCF"
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
