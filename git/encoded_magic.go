package git

import (
	"bytes"
	"encoding/binary"
)

// minMagicBytes is the fewest decoded bytes a short-token detector (hex
// dumps, base64 split into short pieces) looks at for a file-type magic.
const minMagicBytes = 64

// binaryMagics are the leading bytes of executables and archives.
var binaryMagics = []struct {
	name  string
	magic []byte
}{
	{"ELF executable", []byte("\x7fELF")},
	{"Mach-O executable", []byte("\xfe\xed\xfa\xce")},
	{"Mach-O executable", []byte("\xfe\xed\xfa\xcf")},
	{"Mach-O executable", []byte("\xce\xfa\xed\xfe")},
	{"Mach-O executable", []byte("\xcf\xfa\xed\xfe")},
	{"universal or Java class file", []byte("\xca\xfe\xba\xbe")},
	{"zip archive", []byte("PK\x03\x04")},
	{"gzip stream", []byte("\x1f\x8b\x08")},
	{"7-Zip archive", []byte("7z\xbc\xaf\x27\x1c")},
	{"xz stream", []byte("\xfd7zXZ\x00")},
	{"bzip2 stream", []byte("BZh")},
	{"RAR archive", []byte("Rar!\x1a\x07")},
	{"WebAssembly module", []byte("\x00asm")},
}

// binaryMagic names the executable or archive format p starts with, or "".
// A DOS/PE header ("MZ") also needs a plausible e_lfanew, so that two
// letters alone do not count.
func binaryMagic(p []byte) string {
	if len(p) >= minMagicBytes && p[0] == 'M' && p[1] == 'Z' {
		if off := binary.LittleEndian.Uint32(p[60:64]); off >= 64 && off < 1<<16 && off%4 == 0 {
			return "DOS/PE executable"
		}
	}
	for _, m := range binaryMagics {
		if bytes.HasPrefix(p, m.magic) {
			return m.name
		}
	}
	return ""
}
