// Package machofile builds small Mach-O and universal files and signs them
// with Apple code signatures (ad-hoc, or CMS with a test certificate), for
// shipgate's tests, fixture generators and demo. It writes what Apple's
// codesign and the Go linker write: an embedded SuperBlob at the end of
// __LINKEDIT with a primary CodeDirectory, alternates, requirements,
// entitlements and a CMS blob wrapper. Nothing here is for production use.
package machofile

import (
	"encoding/binary"
	"fmt"
)

// CPU types.
const (
	CPUX86_64 = 0x01000007
	CPUARM64  = 0x0100000c
)

// Spec describes a minimal 64-bit little-endian Mach-O executable to build.
// Zero fields take defaults.
type Spec struct {
	// CPU and SubCPU default to arm64 (subtype 0); x86_64 defaults to
	// subtype 3 (CPU_SUBTYPE_X86_64_ALL).
	CPU, SubCPU uint32
	// CodeSize is the number of pseudo-random code bytes in __text; the
	// default 10,000 gives three full 4 KiB pages and a short one.
	CodeSize int
	// Seed selects the code bytes.
	Seed uint64
}

// Build returns an unsigned Mach-O: a __TEXT segment holding the header and
// one __text section, a __LINKEDIT segment holding a one-symbol symbol
// table, and room after the load commands for LC_CODE_SIGNATURE.
func Build(s Spec) []byte {
	if s.CPU == 0 {
		s.CPU = CPUARM64
	}
	if s.CPU == CPUX86_64 && s.SubCPU == 0 {
		s.SubCPU = 3 // CPU_SUBTYPE_X86_64_ALL
	}
	if s.CodeSize <= 0 {
		s.CodeSize = 10000
	}
	le := binary.LittleEndian
	const textOff = 0x400
	textEnd := textOff + s.CodeSize
	leOff := align(textEnd, 16)
	sym := make([]byte, 16)
	le.PutUint32(sym[0:], 1) // n_strx
	sym[4] = 0x0f            // N_SECT|N_EXT
	sym[5] = 1               // section 1
	le.PutUint64(sym[8:], 0x100000000+textOff)
	strs := []byte("\x00_main\x00\x00")
	linkedit := append(sym, strs...)
	out := make([]byte, leOff+len(linkedit))

	cmds := []byte{}
	// __TEXT with one section.
	text := make([]byte, 72+80)
	le.PutUint32(text[0:], 0x19)
	le.PutUint32(text[4:], uint32(len(text)))
	copy(text[8:], "__TEXT")
	le.PutUint64(text[24:], 0x100000000)
	le.PutUint64(text[32:], uint64(align(textEnd, 0x4000)))
	le.PutUint64(text[40:], 0)
	le.PutUint64(text[48:], uint64(textEnd))
	le.PutUint32(text[56:], 5) // r-x
	le.PutUint32(text[60:], 5)
	le.PutUint32(text[64:], 1)
	sec := text[72:]
	copy(sec[0:], "__text")
	copy(sec[16:], "__TEXT")
	le.PutUint64(sec[32:], 0x100000000+textOff)
	le.PutUint64(sec[40:], uint64(s.CodeSize))
	le.PutUint32(sec[48:], textOff)
	le.PutUint32(sec[52:], 4)
	le.PutUint32(sec[64:], 0x80000400)
	cmds = append(cmds, text...)
	// __LINKEDIT.
	lk := make([]byte, 72)
	le.PutUint32(lk[0:], 0x19)
	le.PutUint32(lk[4:], 72)
	copy(lk[8:], "__LINKEDIT")
	le.PutUint64(lk[24:], 0x100000000+uint64(align(textEnd, 0x4000)))
	le.PutUint64(lk[32:], 0x4000)
	le.PutUint64(lk[40:], uint64(leOff))
	le.PutUint64(lk[48:], uint64(len(linkedit)))
	le.PutUint32(lk[56:], 1)
	le.PutUint32(lk[60:], 1)
	cmds = append(cmds, lk...)
	// LC_SYMTAB.
	st := make([]byte, 24)
	le.PutUint32(st[0:], 0x2)
	le.PutUint32(st[4:], 24)
	le.PutUint32(st[8:], uint32(leOff))
	le.PutUint32(st[12:], 1)
	le.PutUint32(st[16:], uint32(leOff+16))
	le.PutUint32(st[20:], uint32(len(strs)))
	cmds = append(cmds, st...)

	le.PutUint32(out[0:], 0xfeedfacf)
	le.PutUint32(out[4:], s.CPU)
	le.PutUint32(out[8:], s.SubCPU)
	le.PutUint32(out[12:], 2) // MH_EXECUTE
	le.PutUint32(out[16:], 3)
	le.PutUint32(out[20:], uint32(len(cmds)))
	le.PutUint32(out[24:], 0x200085) // NOUNDEFS|DYLDLINK|TWOLEVEL|PIE
	copy(out[32:], cmds)
	fill(out[textOff:textEnd], s.Seed)
	copy(out[leOff:], linkedit)
	return out
}

func align(n, a int) int { return (n + a - 1) / a * a }

// fill writes deterministic pseudo-random bytes.
func fill(b []byte, seed uint64) {
	x := seed*0x9e3779b97f4a7c15 + 0x1234567
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
}

// Arch is one slice of a universal file.
type Arch struct {
	// CPU and SubCPU name the architecture in the fat header; zero takes
	// them from the Mach-O header of Data.
	CPU, SubCPU uint32
	// Align is the log2 alignment of the slice; zero means 14 (16 KiB).
	Align uint32
	// Data is the thin Mach-O.
	Data []byte
}

// Fat returns a universal file holding arches in order, with a 32-bit
// (0xcafebabe) or 64-bit (0xcafebabf) fat header.
func Fat(arches []Arch, is64 bool) []byte {
	be := binary.BigEndian
	es := 20
	if is64 {
		es = 32
	}
	hdr := make([]byte, 8+es*len(arches))
	if is64 {
		be.PutUint32(hdr, 0xcafebabf)
	} else {
		be.PutUint32(hdr, 0xcafebabe)
	}
	be.PutUint32(hdr[4:], uint32(len(arches)))
	out := hdr
	for i, a := range arches {
		if a.Align == 0 {
			a.Align = 14
		}
		if a.CPU == 0 && len(a.Data) >= 12 {
			a.CPU = binary.LittleEndian.Uint32(a.Data[4:])
			a.SubCPU = binary.LittleEndian.Uint32(a.Data[8:])
		}
		off := align(len(out), 1<<a.Align)
		out = append(out, make([]byte, off-len(out))...)
		out = append(out, a.Data...)
		e := out[8+es*i:]
		be.PutUint32(e, a.CPU)
		be.PutUint32(e[4:], a.SubCPU)
		if is64 {
			be.PutUint64(e[8:], uint64(off))
			be.PutUint64(e[16:], uint64(len(a.Data)))
			be.PutUint32(e[24:], a.Align)
		} else {
			be.PutUint32(e[8:], uint32(off))
			be.PutUint32(e[12:], uint32(len(a.Data)))
			be.PutUint32(e[16:], a.Align)
		}
	}
	return out
}

// machHeader is what Sign needs from a thin 64-bit little-endian Mach-O.
type machHeader struct {
	ncmds, sizeCmds int
	linkedit        int // offset of the __LINKEDIT command, -1 if none
	text            int // offset of the __TEXT command, -1 if none
	codeSig         int // offset of LC_CODE_SIGNATURE, -1 if none
	firstSection    int // lowest file offset of section data
	fileType        uint32
}

func readHeader(b []byte) (*machHeader, error) {
	le := binary.LittleEndian
	if len(b) < 32 || le.Uint32(b) != 0xfeedfacf {
		return nil, fmt.Errorf("machofile: not a 64-bit little-endian Mach-O")
	}
	h := &machHeader{ncmds: int(le.Uint32(b[16:])), sizeCmds: int(le.Uint32(b[20:])), linkedit: -1, text: -1, codeSig: -1, firstSection: len(b), fileType: le.Uint32(b[12:])}
	if 32+h.sizeCmds > len(b) {
		return nil, fmt.Errorf("machofile: load commands run past the file")
	}
	off := 32
	for i := 0; i < h.ncmds; i++ {
		if off+8 > 32+h.sizeCmds {
			return nil, fmt.Errorf("machofile: load command %d runs past sizeofcmds", i)
		}
		cmd, size := le.Uint32(b[off:]), int(le.Uint32(b[off+4:]))
		if size < 8 || off+size > 32+h.sizeCmds {
			return nil, fmt.Errorf("machofile: bad load command size")
		}
		switch cmd {
		case 0x19:
			name := string(trimNul(b[off+8 : off+24]))
			switch name {
			case "__LINKEDIT":
				h.linkedit = off
			case "__TEXT":
				h.text = off
			}
			nsect := int(le.Uint32(b[off+64:]))
			for k := 0; k < nsect && off+72+80*(k+1) <= off+size; k++ {
				s := b[off+72+80*k:]
				if so := int(le.Uint32(s[48:])); so > 0 && le.Uint64(s[40:]) > 0 && so < h.firstSection {
					h.firstSection = so
				}
			}
		case 0x1d:
			h.codeSig = off
		}
		off += size
	}
	return h, nil
}

func trimNul(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
