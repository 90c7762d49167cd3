package sevenz

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// BuildFile is a file of an archive Build makes.
type BuildFile struct {
	Name string
	Data []byte
	// Attrib is the file's attributes (kAttributes), when any file has
	// some: 0x8000 and a Unix mode in the high 16 bits, as p7zip stores
	// them (0xA1FF8000 a symbolic link, whose Data is its target).
	Attrib uint32
}

// Build returns a 7-Zip archive of files, stored (the copy coder) in one
// folder, with a plain header naming them, for tests and fuzzing.
func Build(files []BuildFile) []byte {
	var packed []byte
	for _, f := range files {
		packed = append(packed, f.Data...)
	}
	num := func(b []byte, v uint64) []byte {
		// Nine-byte form: 0xFF then eight little-endian bytes.
		b = append(b, 0xff)
		return binary.LittleEndian.AppendUint64(b, v)
	}
	h := []byte{kHeader, kMainStreamsInfo, kPackInfo}
	h = num(h, 0)
	h = num(h, 1)
	h = append(h, kSize)
	h = num(h, uint64(len(packed)))
	h = append(h, kEnd, kUnPackInfo, kFolder)
	h = num(h, 1)
	h = append(h, 0)    // not external
	h = num(h, 1)       // one coder
	h = append(h, 1, 0) // simple, id of one byte: copy
	h = append(h, kCodersUnPackSize)
	h = num(h, uint64(len(packed)))
	h = append(h, kEnd, kSubStreamsInfo, kNumUnPackStream)
	h = num(h, uint64(len(files)))
	if len(files) > 1 {
		h = append(h, kSize)
		for _, f := range files[:len(files)-1] {
			h = num(h, uint64(len(f.Data)))
		}
	}
	h = append(h, kEnd, kEnd, kFilesInfo)
	h = num(h, uint64(len(files)))
	var names []byte
	names = append(names, 0) // not external
	for _, f := range files {
		for _, c := range utf16.Encode([]rune(f.Name)) {
			names = binary.LittleEndian.AppendUint16(names, c)
		}
		names = append(names, 0, 0)
	}
	h = append(h, 0x11) // kName
	h = num(h, uint64(len(names)))
	h = append(h, names...)
	if attrs := buildAttribs(files); attrs != nil {
		h = append(h, 0x15) // kAttributes
		h = num(h, uint64(len(attrs)))
		h = append(h, attrs...)
	}
	h = append(h, kEnd, kEnd)
	return assemble(packed, h)
}

// buildAttribs returns the kAttributes property's data for files, or nil
// when none has attributes.
func buildAttribs(files []BuildFile) []byte {
	any := false
	for _, f := range files {
		any = any || f.Attrib != 0
	}
	if !any {
		return nil
	}
	b := []byte{1, 0} // all defined, not external
	for _, f := range files {
		b = binary.LittleEndian.AppendUint32(b, f.Attrib)
	}
	return b
}

// assemble returns an archive of the packed streams and header h.
func assemble(packed, h []byte) []byte {
	sh := make([]byte, 32)
	copy(sh, Signature)
	sh[7] = 4 // version 0.4
	binary.LittleEndian.PutUint64(sh[12:], uint64(len(packed)))
	binary.LittleEndian.PutUint64(sh[20:], uint64(len(h)))
	binary.LittleEndian.PutUint32(sh[28:], crc32.ChecksumIEEE(h))
	binary.LittleEndian.PutUint32(sh[8:], crc32.ChecksumIEEE(sh[12:32]))
	return append(append(sh, packed...), h...)
}
