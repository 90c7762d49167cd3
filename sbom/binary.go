package sbom

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/filekind"
)

// Binary kinds as the JSON report spells them: the names of the
// filekind kinds the inventory calls binaries (filekind.Kind.String), which
// the builder carries (see binaryKind).
const (
	KindPE             = "pe"
	KindMachO          = "macho"
	KindMachOUniversal = "macho-universal"
	KindELF            = "elf"
)

// sniff returns the binary kind of a file from its first bytes, or
// filekind.Other, by the release walker's rules (internal/filekind), so
// that a file cannot be native code to one and data to the other.
func sniff(head []byte, size int64) filekind.Kind {
	return binaryKind(filekind.Detect(head, size))
}

// binaryKind returns k when it is a kind the inventory calls a binary
// (native code or ELF), filekind.Other otherwise.
func binaryKind(k filekind.Kind) filekind.Kind {
	if k.Native() || k == filekind.ELF {
		return k
	}
	return filekind.Other
}

var machoCPU = map[uint32]string{
	7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000c: "arm64", 0x0200000c: "arm64_32",
}

var peMachine = map[uint16]string{
	0x14c: "i386", 0x8664: "x86_64", 0xaa64: "arm64", 0x1c4: "arm",
}

var elfMachine = map[uint16]string{3: "i386", 62: "x86_64", 183: "arm64", 40: "arm"}

// slice is one architecture of a universal Mach-O.
type slice struct {
	arch      string
	off, size int64
}

// archs reads the architectures of a binary; for universal files also the
// slice ranges.
func archs(r io.ReaderAt, size int64, kind filekind.Kind) ([]string, []slice, error) {
	var h [64]byte
	n, _ := r.ReadAt(h[:], 0)
	b := h[:n]
	switch kind {
	case filekind.MachO:
		if len(b) < 8 {
			return nil, nil, errors.New("short Mach-O header")
		}
		cpu := binary.LittleEndian.Uint32(b[4:])
		if m := binary.LittleEndian.Uint32(b); m == 0xcefaedfe || m == 0xcffaedfe {
			cpu = binary.BigEndian.Uint32(b[4:])
		}
		return []string{cpuName(cpu)}, nil, nil
	case filekind.MachOUniversal:
		cnt := binary.BigEndian.Uint32(b[4:])
		wide := binary.BigEndian.Uint32(b) == 0xcafebabf
		entry := int64(20)
		if wide {
			entry = 32
		}
		tab := make([]byte, int64(cnt)*entry) // cnt*entry < filekind.HeadLen, checked by sniff
		if _, err := r.ReadAt(tab, 8); err != nil {
			return nil, nil, fmt.Errorf("universal header: %w", err)
		}
		var names []string
		var sl []slice
		for i := int64(0); i < int64(cnt); i++ {
			e := tab[i*entry:]
			cpu := binary.BigEndian.Uint32(e)
			var off, sz int64
			if wide {
				off, sz = int64(binary.BigEndian.Uint64(e[8:])), int64(binary.BigEndian.Uint64(e[16:]))
			} else {
				off, sz = int64(binary.BigEndian.Uint32(e[8:])), int64(binary.BigEndian.Uint32(e[12:]))
			}
			if off < 0 || sz < 0 || off > size || sz > size-off {
				return nil, nil, fmt.Errorf("universal slice %d out of range", i)
			}
			names = append(names, cpuName(cpu))
			sl = append(sl, slice{arch: cpuName(cpu), off: off, size: sz})
		}
		return names, sl, nil
	case filekind.ELF:
		if len(b) < 20 {
			return nil, nil, errors.New("short ELF header")
		}
		m := binary.LittleEndian.Uint16(b[18:])
		if b[5] == 2 {
			m = binary.BigEndian.Uint16(b[18:])
		}
		if s, ok := elfMachine[m]; ok {
			return []string{s}, nil, nil
		}
		return []string{fmt.Sprintf("elf-machine-%d", m)}, nil, nil
	}
	return nil, nil, nil
}

func cpuName(c uint32) string {
	if s, ok := machoCPU[c]; ok {
		return s
	}
	return fmt.Sprintf("cpu-%#x", c)
}

// Caps on PE resource parsing.
const (
	maxResEntries = 4096
	maxResData    = 1 << 20
)

// peInfo is what the inventory reads from a PE file.
type peInfo struct {
	arch                        string
	productVersion, fileVersion string
	asarIntegrity               []byte // the Integrity/ElectronAsar resource
}

// readPE reads the machine and the resources the inventory needs.
func readPE(r io.ReaderAt, size int64) (*peInfo, error) {
	f, err := pe.NewFile(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, err
	}
	info := &peInfo{arch: peMachine[f.Machine]}
	if info.arch == "" {
		info.arch = fmt.Sprintf("pe-machine-%#x", f.Machine)
	}
	var dir pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		if oh.NumberOfRvaAndSizes > 2 {
			dir = oh.DataDirectory[2]
		}
	case *pe.OptionalHeader64:
		if oh.NumberOfRvaAndSizes > 2 {
			dir = oh.DataDirectory[2]
		}
	}
	if dir.VirtualAddress == 0 || dir.Size == 0 {
		return info, nil
	}
	var sec *pe.Section
	for _, s := range f.Sections {
		if dir.VirtualAddress >= s.VirtualAddress && dir.VirtualAddress < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			sec = s
		}
	}
	if sec == nil || sec.Size > maxResData*16 {
		return info, nil
	}
	data := make([]byte, sec.Size)
	if _, err := r.ReadAt(data, int64(sec.Offset)); err != nil {
		return info, nil
	}
	rs := &resources{data: data, va: sec.VirtualAddress}
	start := dir.VirtualAddress - sec.VirtualAddress
	if v := rs.find(start, []resKey{{id: 16}}); v != nil {
		info.fileVersion, info.productVersion = versionStrings(v)
	}
	info.asarIntegrity = rs.find(start, []resKey{{name: "INTEGRITY"}, {name: "ELECTRONASAR"}})
	return info, nil
}

type resKey struct {
	id   uint32
	name string // compared case-insensitively
}

type resources struct {
	data  []byte
	va    uint32
	steps int
}

func (rs *resources) u16(off uint32) (uint16, bool) {
	if uint64(off)+2 > uint64(len(rs.data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint16(rs.data[off:]), true
}

func (rs *resources) u32(off uint32) (uint32, bool) {
	if uint64(off)+4 > uint64(len(rs.data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(rs.data[off:]), true
}

// find walks type, name, then the first language, matching keys for the
// first levels; it returns the data or nil.
func (rs *resources) find(dirOff uint32, keys []resKey) []byte {
	off := dirOff
	for level := 0; level < 3; level++ {
		named, ok1 := rs.u16(off + 12)
		ids, ok2 := rs.u16(off + 14)
		if !ok1 || !ok2 {
			return nil
		}
		n := uint32(named) + uint32(ids)
		next := uint32(0)
		found := false
		for i := uint32(0); i < n; i++ {
			rs.steps++
			if rs.steps > maxResEntries {
				return nil
			}
			e := off + 16 + 8*i
			nameField, ok1 := rs.u32(e)
			target, ok2 := rs.u32(e + 4)
			if !ok1 || !ok2 {
				return nil
			}
			if level < len(keys) && !rs.match(nameField, keys[level]) {
				continue
			}
			next, found = target, true
			break
		}
		if !found {
			return nil
		}
		if level < 2 {
			if next&0x80000000 == 0 {
				return nil
			}
			off = next &^ 0x80000000
			if off <= dirOff && level > 0 {
				return nil
			}
			continue
		}
		if next&0x80000000 != 0 {
			return nil
		}
		rva, ok1 := rs.u32(next)
		size, ok2 := rs.u32(next + 4)
		if !ok1 || !ok2 || size > maxResData || rva < rs.va {
			return nil
		}
		start := uint64(rva - rs.va)
		if start+uint64(size) > uint64(len(rs.data)) {
			return nil
		}
		return rs.data[start : start+uint64(size)]
	}
	return nil
}

func (rs *resources) match(field uint32, k resKey) bool {
	if field&0x80000000 == 0 {
		return k.name == "" && field == k.id
	}
	if k.name == "" {
		return false
	}
	off := field &^ 0x80000000
	n, ok := rs.u16(off)
	if !ok || uint64(off)+2+2*uint64(n) > uint64(len(rs.data)) {
		return false
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(rs.data[off+2+2*uint32(i):])
	}
	return strings.EqualFold(string(utf16.Decode(u)), k.name)
}

// versionStrings reads FileVersion and ProductVersion from a VS_VERSIONINFO:
// the StringFileInfo strings when present, else the VS_FIXEDFILEINFO numbers.
func versionStrings(v []byte) (file, product string) {
	file, product = stringValue(v, "FileVersion"), stringValue(v, "ProductVersion")
	if file != "" && product != "" {
		return
	}
	i := bytes.Index(v, []byte{0xbd, 0x04, 0xef, 0xfe})
	if i < 0 || i+24 > len(v) {
		return
	}
	num := func(ms, ls uint32) string {
		return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
	}
	le := binary.LittleEndian
	if file == "" {
		file = num(le.Uint32(v[i+8:]), le.Uint32(v[i+12:]))
	}
	if product == "" {
		product = num(le.Uint32(v[i+16:]), le.Uint32(v[i+20:]))
	}
	return
}

// stringValue finds a String node keyed key and returns its UTF-16 value.
func stringValue(v []byte, key string) string {
	k := utf16le(key + "\x00")
	i := bytes.Index(v, k)
	if i < 6 {
		return ""
	}
	node := i - 6
	wLength := int(binary.LittleEndian.Uint16(v[node:]))
	end := min(node+wLength, len(v))
	j := (i + len(k) + 3) &^ 3
	if j >= end {
		return ""
	}
	var u []uint16
	for ; j+1 < end; j += 2 {
		c := binary.LittleEndian.Uint16(v[j:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}
