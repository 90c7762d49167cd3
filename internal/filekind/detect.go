package filekind

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Kind is what a file is, as its first bytes say.
type Kind uint8

// Kinds Detect tells apart.
const (
	// Other is any file no rule below recognises.
	Other Kind = iota
	// PE is a Windows Portable Executable: "MZ", and at the offset in
	// e_lfanew (0x3c) the signature "PE\0\0".
	PE
	// MachO is a thin Mach-O file: 0xfeedface or 0xfeedfacf in either
	// byte order.
	MachO
	// MachOUniversal is a universal (fat) Mach-O file (see IsUniversal).
	MachOUniversal
	// Asar is an Electron asar archive: the Chromium pickle header Electron
	// writes (see IsAsar).
	Asar
	// ELF is an ELF object ("\x7fELF").
	ELF
	// Tar is an uncompressed tar archive: a first header block whose
	// checksum verifies (see IsTarHeader).
	Tar
	// Gzip, XZ and Zstd are compressed streams, which may hold a tar
	// archive (see Compression).
	Gzip
	XZ
	Zstd
)

var kindNames = [...]string{"other", "pe", "macho", "macho-universal", "asar", "elf", "tar", "gzip", "xz", "zstd"}

// String returns the kind's lowercase name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// Native reports whether k is native code shipgate verifies signatures of.
func (k Kind) Native() bool { return k == PE || k == MachO || k == MachOUniversal }

// Magic numbers of the compressed streams. Gzip's includes the method byte:
// 8 (deflate) is the only one RFC 1952 defines, and gzip, zlib and Go's
// compress/gzip refuse a member with any other, so "\x1f\x8b" followed by
// another byte is not a gzip stream (one random file in 65,536 starts so).
const (
	gzipMagic = "\x1f\x8b\x08"
	xzMagic   = "\xfd7zXZ\x00"
	zstdMagic = "\x28\xb5\x2f\xfd"
)

// IsZstdSkippable reports whether b starts with a Zstandard skippable
// frame (RFC 8878, 3.1.2: a magic of 0x184D2A50 to 0x184D2A5F, little
// endian), which may precede a stream's first frame: zstd, libarchive and
// GNU tar's zstd decompress what follows it.
func IsZstdSkippable(b []byte) bool {
	return len(b) >= 8 && binary.LittleEndian.Uint32(b)&0xfffffff0 == 0x184d2a50
}

// Detect identifies a file from head, its first bytes (HeadLen, or the whole
// file when shorter), and its size (-1 when unknown), by magic numbers and
// never by name. Native code wins over containers: a PE is a PE even when a
// zip archive follows it. Detect does not look beyond head: see DetectAt.
func Detect(head []byte, size int64) Kind {
	if len(head) > HeadLen {
		head = head[:HeadLen]
	}
	switch {
	case IsPE(head):
		return PE
	case isMachO(head):
		return MachO
	case IsUniversal(head, size):
		if universalOfArchives(head, headReader(head)) {
			return Other // a universal static library (see universalOfArchives)
		}
		return MachOUniversal
	case IsAsar(head):
		return Asar
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return ELF
	case bytes.HasPrefix(head, []byte(gzipMagic)):
		return Gzip
	case bytes.HasPrefix(head, []byte(xzMagic)):
		return XZ
	case bytes.HasPrefix(head, []byte(zstdMagic)), IsZstdSkippable(head):
		return Zstd
	case IsTarHeader(head):
		return Tar
	}
	return Other
}

// DetectAt is Detect for the file of size bytes at r whose first bytes are
// head: it also finds a PE header that e_lfanew places beyond head (the
// loader accepts one anywhere in the file), and an asar whose header
// pickle's payload, where Electron reads its JSON, does (see IsAsar).
func DetectAt(r io.ReaderAt, head []byte, size int64) Kind {
	k := Detect(head, size)
	if k == MachOUniversal && universalOfArchives(head, readerAt(r, head)) {
		return Other // slices beyond head that are static libraries
	}
	if k != Other {
		return k
	}
	if at, payload, ok := asarPayloadAt(head); ok && uint64(len(head)) < at+4 && size >= 0 && at+payload <= uint64(size) {
		// An asar whose header pickle's payload (its last bytes) lies
		// beyond head: Electron reads the JSON there.
		var p [64]byte
		if n, _ := r.ReadAt(p[:], int64(at)); asarJSON(p[:n], payload) {
			return Asar
		}
	}
	if off, ok := PEHeaderBeyond(head, size); ok {
		var sig [4]byte
		if n, _ := r.ReadAt(sig[:], off); n == 4 && string(sig[:]) == "PE\x00\x00" {
			return PE
		}
	}
	return k
}

// IsPE reports whether b starts a DOS header whose e_lfanew points, within
// b, at the signature "PE\0\0".
func IsPE(b []byte) bool {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return false
	}
	off := binary.LittleEndian.Uint32(b[0x3c:])
	if uint64(off)+4 > uint64(len(b)) {
		return false
	}
	return b[off] == 'P' && b[off+1] == 'E' && b[off+2] == 0 && b[off+3] == 0
}

// PEHeaderBeyond returns the offset e_lfanew gives when b starts a DOS header
// whose PE header lies beyond b but within size bytes, where only a read
// there can decide the kind.
func PEHeaderBeyond(b []byte, size int64) (int64, bool) {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return 0, false
	}
	off := int64(binary.LittleEndian.Uint32(b[0x3c:]))
	return off, off+4 > int64(len(b)) && off+4 <= size
}

func isMachO(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch binary.BigEndian.Uint32(b) {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe:
		return true
	}
	return false
}

// IsAsar checks the pickle framing of an asar header as Electron reads it
// (Chromium's base::Pickle): uint32 4 (size of the size pickle), uint32
// header-pickle size, uint32 payload size, then the JSON string's length
// and the JSON object at the start of the payload, which is the pickle's
// last bytes: at offset 12 when the payload is the header-pickle size - 4,
// as asar writers make it, further on when it is smaller (the asar reader
// refuses those; DetectAt finds one beyond b). The JSON is parsed with
// Chromium's reader, which skips a UTF-8 byte order mark and white space
// before the '{' (and, with the Chromium extensions, a comment: '/' is
// taken too, for the asar reader to refuse), so those are skipped here as
// well.
func IsAsar(b []byte) bool {
	at, payload, ok := asarPayloadAt(b)
	if !ok || uint64(len(b)) < at+4 {
		return false
	}
	return asarJSON(b[at:], payload)
}

// asarPayloadAt returns where, in an asar archive starting with b, Electron
// reads the header pickle's payload, and the payload's size; ok is false
// when b does not start with the pickle framing.
func asarPayloadAt(b []byte) (at, payload uint64, ok bool) {
	if len(b) < 16 {
		return 0, 0, false
	}
	le := binary.LittleEndian
	if le.Uint32(b) != 4 {
		return 0, 0, false
	}
	hdr, payload := uint64(le.Uint32(b[4:])), uint64(le.Uint32(b[8:]))
	if hdr < 8 || payload < 4 || payload > hdr-4 || (hdr-payload)%4 != 0 {
		return 0, 0, false
	}
	return 8 + hdr - payload, payload, true
}

// asarJSON reports whether p, the first bytes of an asar header pickle's
// payload of size payload, holds a JSON string's length and then, past a
// byte order mark and white space, the start of an object. JSON that p
// cuts off in white space counts.
func asarJSON(p []byte, payload uint64) bool {
	if len(p) < 4 {
		return false
	}
	strLen := uint64(binary.LittleEndian.Uint32(p))
	if strLen == 0 || strLen > payload-4 {
		return false
	}
	j := p[4:]
	cut := uint64(len(j)) < strLen
	if !cut {
		j = j[:strLen]
	}
	j = bytes.TrimLeft(bytes.TrimPrefix(j, []byte("\xef\xbb\xbf")), " \t\n\r")
	if len(j) == 0 {
		return cut
	}
	return j[0] == '{' || j[0] == '/'
}

// IsZip reports whether b starts with a zip local file header
// ("PK\x03\x04") or an empty archive's end record ("PK\x05\x06"). A zip
// archive may also follow other data; the release walker finds those by
// their end record.
func IsZip(b []byte) bool {
	return len(b) >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))
}

// TarBlock is the size of a tar header block.
const TarBlock = 512

// IsTarHeader reports whether b starts with a tar header block whose
// checksum (the field at 148, eight bytes of octal) equals the sum of the
// block's bytes with that field read as spaces, as every tar reader
// requires (POSIX.1-2017 pax, "ustar Interchange Format"; V7 and GNU
// headers carry the same field). An all-zero block is not a header.
func IsTarHeader(b []byte) bool {
	if len(b) < TarBlock {
		return false
	}
	b = b[:TarBlock]
	// The field first, which most files fail at once: a valid one holds
	// an octal digit, so the block is not all zeros.
	f := bytes.TrimRight(bytes.TrimLeft(b[148:156], " "), " \x00")
	if len(f) == 0 {
		return false
	}
	var v int64
	for _, c := range f {
		if c < '0' || c > '7' {
			return false
		}
		v = v*8 + int64(c-'0')
	}
	var unsigned, signed int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return v == unsigned || v == signed
}
