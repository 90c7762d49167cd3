// Package pefile builds small, valid PE images and edits the parts of them
// that Authenticode cares about: the checksum, the certificate table and the
// security directory entry. It exists for shipgate's tests, fixture generator
// and demo; it is not a linker.
//
// Everything here works on whole images in memory, which is fine for the
// kilobyte-sized files it makes. The functions that compute Authenticode
// digests and page hashes ([ImageDigest], [PageHashes]) are deliberately
// simple, in-memory implementations written apart from the streaming verifier
// in signing/authenticode, so that fixtures signed with them cross-check it.
package pefile

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Machine types.
const (
	MachineAMD64 = 0x8664
	MachineI386  = 0x14c
	MachineARM64 = 0xaa64
)

// Section characteristics used by the builder's defaults.
const (
	SectionCode  = 0x60000020 // code, execute, read
	SectionData  = 0xc0000040 // initialized data, read, write
	SectionRData = 0x40000040 // initialized data, read
)

// Section is one section to lay out.
type Section struct {
	// Name is at most 8 bytes.
	Name string
	// Data is the raw data; it is padded to FileAlignment in the file.
	Data []byte
	// Characteristics defaults to SectionData.
	Characteristics uint32
}

// Spec describes an image to build. The zero value builds a PE32+ (amd64)
// console executable with one small code section.
type Spec struct {
	// PE32 builds a 32-bit image (magic 0x10b, i386); the default is PE32+.
	PE32 bool
	// Sections are laid out in order; nil gives one ".text" section.
	Sections []Section
	// SectionAlignment and FileAlignment default to 0x1000 and 0x200.
	SectionAlignment, FileAlignment uint32
	// NumberOfRvaAndSizes defaults to 16. Values below 5 leave no security
	// directory entry, so the image cannot carry a certificate table.
	NumberOfRvaAndSizes uint32
	// Size, when larger than the laid-out image, appends overlay bytes (a
	// fixed pattern) up to exactly Size bytes; it may be odd.
	Size int
}

const (
	lfanew      = 0x80
	coffSize    = 20
	sectionSize = 40
)

// Build lays out an image from s and sets its checksum.
func Build(s Spec) ([]byte, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	ohFixed := 112 // PE32+ fields before the data directories
	if s.PE32 {
		ohFixed = 96
	}
	ohSize := ohFixed + 8*int(s.NumberOfRvaAndSizes)
	hdrEnd := lfanew + 4 + coffSize + ohSize + sectionSize*len(s.Sections)
	sizeOfHeaders := alignUp(uint32(hdrEnd), s.FileAlignment)
	l := s.placeSections(sizeOfHeaders)
	img := make([]byte, l.raw)
	s.writeHeaders(img, ohSize, sizeOfHeaders, l)
	sh := img[lfanew+4+coffSize+ohSize:]
	le := binary.LittleEndian
	for i, sec := range s.Sections {
		h := sh[i*sectionSize:]
		if len(sec.Name) > 8 {
			return nil, fmt.Errorf("pefile: section name %q longer than 8 bytes", sec.Name)
		}
		p := l.sections[i]
		copy(h[0:8], sec.Name)
		le.PutUint32(h[8:], p.vsize)
		le.PutUint32(h[12:], p.va)
		le.PutUint32(h[16:], p.rawSize)
		le.PutUint32(h[20:], p.raw)
		c := sec.Characteristics
		if c == 0 {
			c = SectionData
		}
		le.PutUint32(h[36:], c)
		copy(img[p.raw:], sec.Data)
	}
	if s.Size > len(img) {
		n := len(img)
		img = append(img, make([]byte, s.Size-n)...)
		for i := n; i < len(img); i++ {
			img[i] = byte(i*31 + 17)
		}
	}
	SetChecksum(img)
	return img, nil
}

// withDefaults returns s with its defaults filled in, or why it cannot be
// built.
func (s Spec) withDefaults() (Spec, error) {
	if s.SectionAlignment == 0 {
		s.SectionAlignment = 0x1000
	}
	if s.FileAlignment == 0 {
		s.FileAlignment = 0x200
	}
	if s.NumberOfRvaAndSizes == 0 {
		s.NumberOfRvaAndSizes = 16
	}
	if s.NumberOfRvaAndSizes > 16 {
		return s, errors.New("pefile: NumberOfRvaAndSizes above 16")
	}
	if s.Sections == nil {
		code := make([]byte, 0x230)
		for i := range code {
			code[i] = byte(i*7 + 3)
		}
		code[0] = 0xc3 // ret
		s.Sections = []Section{{Name: ".text", Data: code, Characteristics: SectionCode}}
	}
	if len(s.Sections) > 96 {
		return s, errors.New("pefile: too many sections")
	}
	return s, nil
}

// placed is where Build puts a section: its RVA, file offset and sizes.
type placed struct {
	va, raw, rawSize, vsize uint32
}

// buildLayout is the sections' places, the image's size in memory (va)
// and in the file (raw), and the code and data sizes.
type buildLayout struct {
	sections           []placed
	va, raw            uint32
	sizeCode, sizeData uint32
}

// placeSections lays out the sections, in order, after the headers.
func (s Spec) placeSections(sizeOfHeaders uint32) buildLayout {
	l := buildLayout{va: alignUp(sizeOfHeaders, s.SectionAlignment), raw: sizeOfHeaders}
	for _, sec := range s.Sections {
		p := placed{va: l.va, raw: l.raw, vsize: uint32(len(sec.Data))}
		p.rawSize = alignUp(uint32(len(sec.Data)), s.FileAlignment)
		if p.rawSize == 0 {
			p.raw = 0
		}
		l.sections = append(l.sections, p)
		l.va += alignUp(max(p.vsize, 1), s.SectionAlignment)
		l.raw += p.rawSize
		if sec.Characteristics&0x20 != 0 {
			l.sizeCode += p.rawSize
		} else {
			l.sizeData += p.rawSize
		}
	}
	return l
}

// writeHeaders writes the DOS header and stub, the PE signature, the COFF
// header and the optional header (of ohSize bytes) into img.
func (s Spec) writeHeaders(img []byte, ohSize int, sizeOfHeaders uint32, l buildLayout) {
	le := binary.LittleEndian
	img[0], img[1] = 'M', 'Z'
	le.PutUint16(img[2:], 0x90)
	le.PutUint32(img[0x3c:], lfanew)
	copy(img[0x40:], "This program cannot be run in DOS mode.\r\r\n$")
	copy(img[lfanew:], "PE\x00\x00")
	coff := img[lfanew+4:]
	machine := uint16(MachineAMD64)
	if s.PE32 {
		machine = MachineI386
	}
	le.PutUint16(coff[0:], machine)
	le.PutUint16(coff[2:], uint16(len(s.Sections)))
	le.PutUint16(coff[16:], uint16(ohSize))
	ch := uint16(0x0022) // executable, large address aware
	if s.PE32 {
		ch = 0x0102 // executable, 32-bit machine
	}
	le.PutUint16(coff[18:], ch)
	entry := uint32(0)
	if len(l.sections) > 0 {
		entry = l.sections[0].va
	}
	s.writeOptionalHeader(img[lfanew+4+coffSize:], entry, sizeOfHeaders, l)
}

// writeOptionalHeader writes the optional header's fields into oh; the
// data directories stay zero.
func (s Spec) writeOptionalHeader(oh []byte, entry, sizeOfHeaders uint32, l buildLayout) {
	le := binary.LittleEndian
	if s.PE32 {
		le.PutUint16(oh[0:], 0x10b)
	} else {
		le.PutUint16(oh[0:], 0x20b)
	}
	oh[2], oh[3] = 14, 0 // linker version
	le.PutUint32(oh[4:], l.sizeCode)
	le.PutUint32(oh[8:], l.sizeData)
	le.PutUint32(oh[16:], entry)
	le.PutUint32(oh[20:], entry) // BaseOfCode
	if s.PE32 {
		le.PutUint32(oh[24:], entry) // BaseOfData
		le.PutUint32(oh[28:], 0x400000)
	} else {
		le.PutUint64(oh[24:], 0x140000000)
	}
	le.PutUint32(oh[32:], s.SectionAlignment)
	le.PutUint32(oh[36:], s.FileAlignment)
	le.PutUint16(oh[40:], 6) // OS version
	le.PutUint16(oh[48:], 6) // subsystem version
	le.PutUint32(oh[56:], l.va)
	le.PutUint32(oh[60:], sizeOfHeaders)
	le.PutUint16(oh[68:], 3)      // console subsystem
	le.PutUint16(oh[70:], 0x8160) // dynamic base, NX, TS aware, high entropy VA
	if s.PE32 {
		le.PutUint32(oh[72:], 0x100000)
		le.PutUint32(oh[76:], 0x1000)
		le.PutUint32(oh[80:], 0x100000)
		le.PutUint32(oh[84:], 0x1000)
		le.PutUint32(oh[92:], s.NumberOfRvaAndSizes)
	} else {
		le.PutUint64(oh[72:], 0x100000)
		le.PutUint64(oh[80:], 0x1000)
		le.PutUint64(oh[88:], 0x100000)
		le.PutUint64(oh[96:], 0x1000)
		le.PutUint32(oh[108:], s.NumberOfRvaAndSizes)
	}
}

func alignUp(v, a uint32) uint32 {
	if a == 0 {
		return v
	}
	return (v + a - 1) / a * a
}

// Info locates the fields of an image that Authenticode touches.
type Info struct {
	// Lfanew is the offset of the "PE\0\0" signature.
	Lfanew int
	// PE32Plus reports magic 0x20b.
	PE32Plus bool
	// ChecksumOff is the file offset of OptionalHeader.CheckSum.
	ChecksumOff int
	// NumberOfRvaAndSizes is the count of data directory entries.
	NumberOfRvaAndSizes uint32
	// SecDirOff is the file offset of DataDirectory[4], -1 when there is none.
	SecDirOff int
	// CertOff and CertSize are DataDirectory[4] (a file offset and a size).
	CertOff, CertSize uint32
	// SizeOfHeaders, SectionAlignment and FileAlignment are the header values.
	SizeOfHeaders, SectionAlignment, FileAlignment uint32
	// Sections lists each section's PointerToRawData and SizeOfRawData.
	Sections []SectionRange
}

// SectionRange is the file range of one section.
type SectionRange struct {
	Offset, Size uint32
}

// Parse locates the Authenticode-relevant fields of img.
func Parse(img []byte) (Info, error) {
	var in Info
	le := binary.LittleEndian
	if len(img) < 0x40 || img[0] != 'M' || img[1] != 'Z' {
		return in, errors.New("pefile: no MZ header")
	}
	in.Lfanew = int(le.Uint32(img[0x3c:]))
	if in.Lfanew < 0 || in.Lfanew+4+coffSize+2 > len(img) || string(img[in.Lfanew:in.Lfanew+4]) != "PE\x00\x00" {
		return in, errors.New("pefile: no PE signature")
	}
	coff := img[in.Lfanew+4:]
	nsec := int(le.Uint16(coff[2:]))
	ohSize := int(le.Uint16(coff[16:]))
	oh := in.Lfanew + 4 + coffSize
	if oh+ohSize > len(img) || ohSize < 96 {
		return in, errors.New("pefile: optional header truncated")
	}
	in.PE32Plus = le.Uint16(img[oh:]) == 0x20b
	in.ChecksumOff = oh + 64
	in.SectionAlignment = le.Uint32(img[oh+32:])
	in.FileAlignment = le.Uint32(img[oh+36:])
	in.SizeOfHeaders = le.Uint32(img[oh+60:])
	dirs := oh + 96
	if in.PE32Plus {
		dirs = oh + 112
	}
	if dirs > oh+ohSize {
		return in, errors.New("pefile: optional header truncated")
	}
	in.NumberOfRvaAndSizes = le.Uint32(img[dirs-4:])
	in.SecDirOff = -1
	if in.NumberOfRvaAndSizes >= 5 && dirs+5*8 <= oh+ohSize {
		in.SecDirOff = dirs + 4*8
		in.CertOff = le.Uint32(img[in.SecDirOff:])
		in.CertSize = le.Uint32(img[in.SecDirOff+4:])
	}
	sh := oh + ohSize
	for i := 0; i < nsec; i++ {
		h := sh + i*sectionSize
		if h+sectionSize > len(img) {
			return in, errors.New("pefile: section table truncated")
		}
		in.Sections = append(in.Sections, SectionRange{Size: le.Uint32(img[h+16:]), Offset: le.Uint32(img[h+20:])})
	}
	return in, nil
}

// Checksum computes the PE image checksum of img, treating the CheckSum field
// at checksumOff (its four bytes) as zero: the 16-bit one's-complement-style sum of the file's
// little-endian words folded to 16 bits, plus the file length.
func Checksum(img []byte, checksumOff int) uint32 {
	at := func(i int) uint64 {
		if i >= len(img) || (i >= checksumOff && i < checksumOff+4) {
			return 0
		}
		return uint64(img[i])
	}
	var sum uint64
	for i := 0; i < len(img); i += 2 {
		sum += at(i) | at(i+1)<<8
		sum = (sum & 0xffff) + (sum >> 16)
	}
	sum = (sum & 0xffff) + (sum >> 16)
	return uint32(sum) + uint32(len(img))
}

// SetChecksum recomputes and stores img's checksum. It does nothing when img
// does not parse.
func SetChecksum(img []byte) {
	in, err := Parse(img)
	if err != nil {
		return
	}
	binary.LittleEndian.PutUint32(img[in.ChecksumOff:], Checksum(img, in.ChecksumOff))
}

// WIN_CERTIFICATE revision and type values.
const (
	RevisionV2      = 0x0200
	TypePKCSSigned  = 0x0002
	TypeX509        = 0x0001
	RevisionV1      = 0x0100
	winCertHdrBytes = 8
)

// Entry returns a WIN_CERTIFICATE holding blob with revision 0x0200 and type
// PKCS_SIGNED_DATA, zero-padded to a multiple of 8 bytes with the padding
// counted in dwLength, as signtool and osslsigncode write it.
func Entry(blob []byte) []byte {
	return RawEntry(RevisionV2, TypePKCSSigned, blob, true)
}

// RawEntry returns a WIN_CERTIFICATE with the given revision and type. With
// pad, blob is zero-padded to 8 bytes inside dwLength; without, dwLength is
// 8+len(blob) and the caller aligns the next entry.
func RawEntry(rev, typ uint16, blob []byte, pad bool) []byte {
	n := winCertHdrBytes + len(blob)
	total := n
	if pad {
		total = int(alignUp(uint32(n), 8))
	}
	e := make([]byte, total)
	binary.LittleEndian.PutUint32(e[0:], uint32(total))
	binary.LittleEndian.PutUint16(e[4:], rev)
	binary.LittleEndian.PutUint16(e[6:], typ)
	copy(e[8:], blob)
	return e
}

// Unsigned returns img without its certificate table (when it sits at the end
// of the file) and with the security directory entry cleared.
func Unsigned(img []byte) ([]byte, error) {
	in, err := Parse(img)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), img...)
	if in.SecDirOff < 0 || in.CertSize == 0 {
		return out, nil
	}
	if int(in.CertOff)+int(in.CertSize) != len(img) {
		return nil, errors.New("pefile: certificate table is not at the end of the file")
	}
	out = out[:in.CertOff]
	binary.LittleEndian.PutUint64(out[in.SecDirOff:], 0)
	SetChecksum(out)
	return out, nil
}

// Attach returns img with a certificate table made of entries appended: the
// file is zero-padded to 8 bytes, each entry is placed on an 8-byte boundary,
// DataDirectory[4] points at the table and the checksum is recomputed. An
// existing table at the end of the file is replaced.
func Attach(img []byte, entries ...[]byte) ([]byte, error) {
	base, err := Unsigned(img)
	if err != nil {
		return nil, err
	}
	in, _ := Parse(base)
	if in.SecDirOff < 0 {
		return nil, errors.New("pefile: image has no security directory entry")
	}
	base = append(base, make([]byte, int(alignUp(uint32(len(base)), 8))-len(base))...)
	off := len(base)
	for _, e := range entries {
		base = append(base, e...)
		base = append(base, make([]byte, int(alignUp(uint32(len(base)), 8))-len(base))...)
	}
	binary.LittleEndian.PutUint32(base[in.SecDirOff:], uint32(off))
	binary.LittleEndian.PutUint32(base[in.SecDirOff+4:], uint32(len(base)-off))
	SetChecksum(base)
	return base, nil
}

// SetCertDirectory overwrites DataDirectory[4] with off and size and
// recomputes the checksum; tests use it to forge tables.
func SetCertDirectory(img []byte, off, size uint32) error {
	in, err := Parse(img)
	if err != nil {
		return err
	}
	if in.SecDirOff < 0 {
		return errors.New("pefile: image has no security directory entry")
	}
	binary.LittleEndian.PutUint32(img[in.SecDirOff:], off)
	binary.LittleEndian.PutUint32(img[in.SecDirOff+4:], size)
	SetChecksum(img)
	return nil
}
