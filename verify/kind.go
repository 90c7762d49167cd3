package verify

import "encoding/binary"

// sniffLen is how many leading bytes DetectKind looks at.
const sniffLen = 4096

// DetectKind identifies a file's kind from its first bytes (up to 4096; fewer
// when the file is shorter) by magic numbers, never by name:
//
//   - PE: "MZ", and at the offset in e_lfanew (0x3c) the signature "PE\0\0";
//     the PE header must lie within the bytes given.
//   - Mach-O: 0xfeedface or 0xfeedfacf in either byte order.
//   - universal Mach-O: 0xcafebabe or 0xcafebabf (big-endian) followed by an
//     architecture count of 1 to 64. Java class files share 0xcafebabe but
//     carry their version there, which is 45 or more, so the count tells them
//     apart (as file(1) does).
//   - asar: the Chromium pickle header Electron writes: a 4-byte size of 4,
//     then the header pickle's size, its payload size, and the JSON string's
//     length, consistent with each other, followed by '{'.
//
// Everything else is KindOther. Zip archives are KindOther too; see
// [IsZip].
func DetectKind(b []byte) Kind {
	if len(b) > sniffLen {
		b = b[:sniffLen]
	}
	switch {
	case isPE(b):
		return KindPE
	case isMachO(b):
		return KindMachO
	case isFat(b):
		return KindMachOUniversal
	case isAsar(b):
		return KindAsar
	}
	return KindOther
}

// IsZip reports whether b starts with a zip local file header
// ("PK\x03\x04") or an empty archive's end record ("PK\x05\x06").
func IsZip(b []byte) bool {
	return len(b) >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))
}

func isPE(b []byte) bool {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return false
	}
	off := binary.LittleEndian.Uint32(b[0x3c:])
	if uint64(off)+4 > uint64(len(b)) {
		return false
	}
	return b[off] == 'P' && b[off+1] == 'E' && b[off+2] == 0 && b[off+3] == 0
}

func isMachO(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	m := binary.BigEndian.Uint32(b)
	switch m {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe:
		return true
	}
	return false
}

// maxFatArch bounds the architecture count of a universal file; real ones
// have a handful, and Java class versions start at 45.
const maxFatArch = 44

func isFat(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	m := binary.BigEndian.Uint32(b)
	if m != 0xcafebabe && m != 0xcafebabf {
		return false
	}
	n := binary.BigEndian.Uint32(b[4:])
	return n >= 1 && n <= maxFatArch
}

// isAsar checks the pickle framing of an asar header: uint32 4 (size of the
// size pickle), uint32 header-pickle size, uint32 payload size (header-pickle
// size - 4), uint32 JSON length (at most payload - 4), then '{'.
func isAsar(b []byte) bool {
	if len(b) < 17 {
		return false
	}
	le := binary.LittleEndian
	if le.Uint32(b) != 4 {
		return false
	}
	hdr, payload, strLen := le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])
	return hdr >= 8 && payload == hdr-4 && strLen <= payload-4 && strLen > 0 && b[16] == '{'
}
