package verify

import (
	"encoding/binary"
	"github.com/shipgate/shipgate/internal/filekind"
	"io"
)

// sniffLen is how many leading bytes DetectKind looks at.
const sniffLen = 4096

// DetectKind identifies a file's kind from its first bytes (up to 4096; fewer
// when the file is shorter) by magic numbers, never by name:
//
//   - PE: "MZ", and at the offset in e_lfanew (0x3c) the signature "PE\0\0";
//     the PE header must lie within the bytes given.
//   - Mach-O: 0xfeedface or 0xfeedfacf in either byte order.
//   - universal Mach-O: 0xcafebabe or 0xcafebabf (big-endian) followed by
//     an architecture count of 1 up to as many entries as fit in 4096 bytes
//     (the loader reads no more). Java class files share 0xcafebabe but
//     carry their version there, which is 45 or more: from 45 on, a
//     0xcafebabe file is universal only when every entry of its table lies
//     after the table (and within the file, when its size is known), so
//     filler entries cannot hide a loadable slice.
//   - asar: the Chromium pickle header Electron writes: a 4-byte size of 4,
//     then the header pickle's size, its payload size, and the JSON string's
//     length, consistent with each other, followed by '{'.
//
// Everything else is KindOther. Zip archives are KindOther too; see
// [IsZip].
func DetectKind(b []byte) Kind { return detectKind(b, -1) }

// detectKind is DetectKind for a file of size bytes (-1 when unknown).
func detectKind(b []byte, size int64) Kind {
	if len(b) > sniffLen {
		b = b[:sniffLen]
	}
	switch {
	case isPE(b):
		return KindPE
	case isMachO(b):
		return KindMachO
	case isFat(b, size):
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

// isFat recognises a universal header in b, the first bytes of a file of
// size bytes (-1 when unknown).
func isFat(b []byte, size int64) bool { return filekind.IsUniversal(b, size) }

// peHeaderAt returns the offset e_lfanew gives when b starts a DOS header
// whose PE header lies beyond b but within size bytes: the loader accepts
// headers anywhere in the first 256 MiB, so the kind of such a file is
// decided by reading there.
func peHeaderAt(b []byte, size int64) (int64, bool) {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return 0, false
	}
	off := int64(binary.LittleEndian.Uint32(b[0x3c:]))
	return off, off+4 > int64(len(b)) && off+4 <= size
}

// detectKindAt is detectKind for the file of size bytes at r whose first
// bytes are b: it also finds PE headers beyond b.
func detectKindAt(r io.ReaderAt, b []byte, size int64) Kind {
	k := detectKind(b, size)
	if k != KindOther {
		return k
	}
	if off, ok := peHeaderAt(b, size); ok {
		var sig [4]byte
		if n, _ := r.ReadAt(sig[:], off); n == 4 && string(sig[:]) == "PE\x00\x00" {
			return KindPE
		}
	}
	return k
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
