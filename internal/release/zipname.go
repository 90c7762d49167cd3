package release

import (
	"archive/zip"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// ZipUnicodePathID is the tag of Info-ZIP's Unicode Path extra field: a
// version byte (1), the CRC-32 of the header's name and the name in UTF-8.
// Go's archive/zip ignores it; unzip, 7-Zip and bsdtar extract the entry
// under the name it gives (when the CRC-32 matches the header's name).
const ZipUnicodePathID = 0x7075

// ZipUnicodePath returns the name the Unicode Path field of the extra
// field block extra gives, if it has one that differs from name, and
// whether its CRC-32 is that of name (extractors use the field only then).
// Callers that judge the entry report any second name, whatever the CRC:
// a field that extractors would ignore is still a name a tool may use.
func ZipUnicodePath(extra []byte, name string) (up string, crcMatches, ok bool) {
	for len(extra) >= 4 {
		tag, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return "", false, false
		}
		if tag == ZipUnicodePathID && n >= 5 {
			if p := string(extra[5:n]); p != name {
				return p, binary.LittleEndian.Uint32(extra[1:]) == crc32.ChecksumIEEE([]byte(name)), true
			}
		}
		extra = extra[n:]
	}
	return "", false, false
}

// ZipValidName reports whether the zip entry name n (without a trailing
// "/") is a relative path inside the archive, without a backslash (a
// separator to Windows extractors) or a NUL byte (unzip, 7-Zip and bsdtar
// end the name there: "foo.dll\x00.txt" is written as foo.dll).
func ZipValidName(n string) bool {
	return fs.ValidPath(n) && !strings.ContainsAny(n, "\\\x00") && n != "."
}

// ZipWindowsName returns the name Windows extractors (Explorer, 7-Zip)
// give a zip entry named name whose general-purpose flags are flags:
// without the UTF-8 flag (bit 11) its bytes are code page 437 (the OEM
// code page of US Windows), whatever Go's reader made of them, so
// "caf\x82.dll" is café.dll and the bytes of "é" in UTF-8 are "├⌐".
// Names are compared (case folding, duplicates) as decoded.
func ZipWindowsName(name string, flags uint16) string {
	if flags&0x800 != 0 {
		return name
	}
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return name
	}
	s, err := charmap.CodePage437.NewDecoder().String(name)
	if err != nil {
		return name
	}
	return s
}

// The names of a zip entry: the central directory's, which Go's reader
// gives and a signature over the archive covers, and the name extractors
// write it under (ZipInstalledName), the file a release installs, which
// verify and sbom both list it under (walk.NameZipEntry) and which differs
// only for entries they report (a Unicode Path field, a NUL).

// ZipEntryName is the name a zip entry is written under by unzip, 7-Zip
// and bsdtar, where Go's reader gives another: the name of its Info-ZIP
// Unicode Path extra field (0x7075) when the field's CRC-32 is that of the
// header's name, cut at the first NUL byte (those extractors end the name
// there).
type ZipEntryName struct {
	Name string // the name extractors use
	Up   string // the Unicode Path field's name, if it differs from the header's
	UpOK bool   // extractors use Up
	NUL  bool   // the name held a NUL byte
	// Windows is Name as Windows extractors read it (ZipWindowsName):
	// names are compared so.
	Windows string
}

// ZipInstalledName returns the name extractors write zf under.
func ZipInstalledName(zf *zip.File) ZipEntryName {
	z := ZipEntryName{Name: zf.Name}
	if up, crcOK, ok := ZipUnicodePath(zf.Extra, zf.Name); ok {
		z.Up, z.UpOK = up, crcOK
		if crcOK {
			z.Name = up
		}
	}
	if i := strings.IndexByte(z.Name, 0); i >= 0 {
		z.Name, z.NUL = z.Name[:i], true
	}
	z.Windows = z.Name
	if !z.UpOK {
		z.Windows = ZipWindowsName(z.Name, zf.Flags)
		if !utf8.ValidString(z.Name) {
			// Go's reader leaves a name in code page 437 undecoded.
			z.Name = z.Windows
		}
	}
	return z
}
