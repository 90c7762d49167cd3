package electronfix

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/pefile"
)

// FuseSentinel is the marker Electron places before its fuse wire.
const FuseSentinel = "dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX"

// FuseWire returns the sentinel, version byte 1, the length and the wire of
// '0'/'1' bytes, as Electron's binaries carry it.
func FuseWire(wire string) []byte {
	b := []byte(FuseSentinel)
	b = append(b, 1, byte(len(wire)))
	return append(b, wire...)
}

// filler returns n deterministic bytes that vary with seed.
func filler(seed string, n int) []byte {
	b := make([]byte, n)
	h := uint32(2166136261)
	for i := 0; i < len(seed); i++ {
		h = (h ^ uint32(seed[i])) * 16777619
	}
	for i := range b {
		h ^= h << 13
		h ^= h >> 17
		h ^= h << 5
		b[i] = byte(h)
	}
	return b
}

// PEResource is a resource to embed in a PE image. Type and Name are either
// a numeric ID (TypeID/NameID non-zero) or a string.
type PEResource struct {
	TypeID, NameID uint16
	Type, Name     string
	Data           []byte
}

// PESpec describes a small PE image.
type PESpec struct {
	// Code is placed in the .text section (fuse wires, version strings).
	Code []byte
	// ProductVersion and FileVersion, "a.b.c.d", make an RT_VERSION resource
	// when set.
	ProductVersion, FileVersion string
	// Resources are added to .rsrc.
	Resources []PEResource
}

// BuildPE lays out a PE32+ image with a .text section and, when there are
// resources, an .rsrc section whose directory is DataDirectory[2].
func BuildPE(s PESpec) ([]byte, error) {
	code := append([]byte{0xc3}, s.Code...)
	res := s.Resources
	if s.ProductVersion != "" || s.FileVersion != "" {
		res = append([]PEResource{{TypeID: 16, NameID: 1, Data: versionInfo(s.ProductVersion, s.FileVersion)}}, res...)
	}
	secs := []pefile.Section{{Name: ".text", Data: code, Characteristics: pefile.SectionCode}}
	var rsrcVA uint32
	if len(res) > 0 {
		rsrcVA = 0x1000 + alignUp(uint32(len(code)), 0x1000)
		secs = append(secs, pefile.Section{Name: ".rsrc", Data: buildRsrc(res, rsrcVA), Characteristics: pefile.SectionRData})
	}
	img, err := pefile.Build(pefile.Spec{Sections: secs})
	if err != nil {
		return nil, err
	}
	if len(res) > 0 {
		// DataDirectory[2] (resources) of a PE32+ header: optional header at
		// e_lfanew+24, directories at +112.
		lfanew := binary.LittleEndian.Uint32(img[0x3c:])
		dd := int(lfanew) + 24 + 112 + 2*8
		binary.LittleEndian.PutUint32(img[dd:], rsrcVA)
		binary.LittleEndian.PutUint32(img[dd+4:], uint32(len(secs[1].Data)))
		pefile.SetChecksum(img)
	}
	return img, nil
}

func alignUp(v, a uint32) uint32 { return (v + a - 1) &^ (a - 1) }

// buildRsrc lays out a three-level resource directory (type, name, language
// 0x409) for res, sorted as the format wants: named entries first.
func buildRsrc(res []PEResource, va uint32) []byte {
	le := binary.LittleEndian
	dirHdr := func(named, ids int) []byte {
		b := make([]byte, 16)
		le.PutUint16(b[12:], uint16(named))
		le.PutUint16(b[14:], uint16(ids))
		return b
	}
	// Layout: root dir; per resource a type dir, a name dir and a data entry
	// (one resource per type keeps it simple); then strings; then data.
	n := len(res)
	rootSize := 16 + 8*n
	perRes := (16 + 8) + (16 + 8) + 16
	stringsOff := rootSize + perRes*n
	var strs bytes.Buffer
	strOff := func(s string) uint32 {
		off := uint32(stringsOff + strs.Len())
		u := utf16.Encode([]rune(s))
		binary.Write(&strs, le, uint16(len(u)))
		binary.Write(&strs, le, u)
		return off
	}
	type ent struct{ typeKey, nameKey uint32 }
	ents := make([]ent, n)
	for i, r := range res {
		if r.Type != "" {
			ents[i].typeKey = 0x80000000 | strOff(r.Type)
		} else {
			ents[i].typeKey = uint32(r.TypeID)
		}
		if r.Name != "" {
			ents[i].nameKey = 0x80000000 | strOff(r.Name)
		} else {
			ents[i].nameKey = uint32(r.NameID)
		}
	}
	for strs.Len()%8 != 0 {
		strs.WriteByte(0)
	}
	dataOff := stringsOff + strs.Len()
	out := make([]byte, dataOff)
	named := 0
	for _, r := range res {
		if r.Type != "" {
			named++
		}
	}
	copy(out, dirHdr(named, n-named))
	// Named types first, then IDs ascending (callers pass IDs in order).
	order := make([]int, 0, n)
	for i, r := range res {
		if r.Type != "" {
			order = append(order, i)
		}
	}
	for i, r := range res {
		if r.Type == "" {
			order = append(order, i)
		}
	}
	var data bytes.Buffer
	for slot, i := range order {
		typeDir := rootSize + perRes*slot
		nameDir := typeDir + 24
		dataEnt := nameDir + 24
		le.PutUint32(out[16+8*slot:], ents[i].typeKey)
		le.PutUint32(out[16+8*slot+4:], 0x80000000|uint32(typeDir))
		nNamed := 0
		if res[i].Name != "" {
			nNamed = 1
		}
		copy(out[typeDir:], dirHdr(nNamed, 1-nNamed))
		le.PutUint32(out[typeDir+16:], ents[i].nameKey)
		le.PutUint32(out[typeDir+20:], 0x80000000|uint32(nameDir))
		copy(out[nameDir:], dirHdr(0, 1))
		le.PutUint32(out[nameDir+16:], 0x409)
		le.PutUint32(out[nameDir+20:], uint32(dataEnt))
		le.PutUint32(out[dataEnt:], va+uint32(dataOff+data.Len()))
		le.PutUint32(out[dataEnt+4:], uint32(len(res[i].Data)))
		data.Write(res[i].Data)
		for data.Len()%8 != 0 {
			data.WriteByte(0)
		}
	}
	copy(out[stringsOff:], strs.Bytes())
	return append(out, data.Bytes()...)
}

// versionInfo builds a VS_VERSIONINFO with a VS_FIXEDFILEINFO and a
// StringFileInfo block holding ProductVersion and FileVersion.
func versionInfo(product, file string) []byte {
	le := binary.LittleEndian
	parse := func(v string) (ms, ls uint32) {
		var p [4]uint32
		i := 0
		for _, c := range v {
			if c == '.' {
				i++
				if i == 4 {
					break
				}
				continue
			}
			p[i] = p[i]*10 + uint32(c-'0')
		}
		return p[0]<<16 | p[1], p[2]<<16 | p[3]
	}
	fixed := make([]byte, 52)
	le.PutUint32(fixed[0:], 0xFEEF04BD)
	le.PutUint32(fixed[4:], 0x00010000)
	fms, fls := parse(file)
	pms, pls := parse(product)
	le.PutUint32(fixed[8:], fms)
	le.PutUint32(fixed[12:], fls)
	le.PutUint32(fixed[16:], pms)
	le.PutUint32(fixed[20:], pls)
	le.PutUint32(fixed[36:], 0x40004) // VOS_NT_WINDOWS32
	le.PutUint32(fixed[40:], 1)       // VFT_APP
	str := func(key, val string) []byte {
		return block(key, utf16z(val), 1, len(utf16.Encode([]rune(val)))+1)
	}
	table := block("040904b0", append(str("FileVersion", file), str("ProductVersion", product)...), 1, 0)
	sfi := block("StringFileInfo", table, 1, 0)
	return block("VS_VERSION_INFO", append(fixed, sfi...), 0, 52)
}

func utf16z(s string) []byte {
	u := append(utf16.Encode([]rune(s)), 0)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// block builds a version-resource node: wLength, wValueLength, wType, the
// key (UTF-16, NUL-terminated, padded to 4 bytes), then children or value.
func block(key string, body []byte, typ uint16, valueLen int) []byte {
	b := make([]byte, 6)
	b = append(b, utf16z(key)...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
	binary.LittleEndian.PutUint16(b[2:], uint16(valueLen))
	binary.LittleEndian.PutUint16(b[4:], typ)
	return b
}

// Mach-O CPU types.
const (
	CPUx86_64 = 0x01000007
	CPUArm64  = 0x0100000c
)

// Mach-O file types.
const (
	MachExecute = 2
	MachDylib   = 6
	MachBundle  = 8
)

// BuildMachO returns a minimal 64-bit Mach-O of the given CPU and file type:
// a header and one __TEXT segment load command covering body.
func BuildMachO(cpu uint32, filetype uint32, body []byte) []byte {
	le := binary.LittleEndian
	const hdr, cmd = 32, 72
	b := make([]byte, hdr+cmd)
	le.PutUint32(b[0:], 0xfeedfacf)
	le.PutUint32(b[4:], cpu)
	if cpu == CPUx86_64 {
		le.PutUint32(b[8:], 3)
	}
	le.PutUint32(b[12:], filetype)
	le.PutUint32(b[16:], 1)
	le.PutUint32(b[20:], cmd)
	c := b[hdr:]
	le.PutUint32(c[0:], 0x19) // LC_SEGMENT_64
	le.PutUint32(c[4:], cmd)
	copy(c[8:24], "__TEXT")
	total := uint64(hdr + cmd + len(body))
	le.PutUint64(c[32:], alignUp64(total, 0x4000)) // vmsize
	le.PutUint64(c[48:], total)                    // filesize
	le.PutUint32(c[56:], 5)
	le.PutUint32(c[60:], 5)
	return append(b, body...)
}

func alignUp64(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// BuildFat joins thin Mach-O slices into a universal file, slices aligned to
// 16 KiB.
func BuildFat(slices ...[]byte) []byte {
	be := binary.BigEndian
	const align = 14
	hdr := make([]byte, 8+20*len(slices))
	be.PutUint32(hdr[0:], 0xcafebabe)
	be.PutUint32(hdr[4:], uint32(len(slices)))
	out := hdr
	for i, s := range slices {
		off := alignUp64(uint64(len(out)), 1<<align)
		out = append(out, make([]byte, int(off)-len(out))...)
		e := out[8+20*i:]
		be.PutUint32(e[0:], binary.LittleEndian.Uint32(s[4:]))
		be.PutUint32(e[4:], binary.LittleEndian.Uint32(s[8:]))
		be.PutUint32(e[8:], uint32(off))
		be.PutUint32(e[12:], uint32(len(s)))
		be.PutUint32(e[16:], align)
		out = append(out, s...)
	}
	return out
}
