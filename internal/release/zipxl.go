package release

import (
	"encoding/binary"
	"fmt"
)

// ZipXLID is the tag of libarchive's experimental "xl" extra field, which
// carries an entry's "version made by" and external attributes (a
// bitmap, then the fields it names: bit 0 the version made by, bit 1 the
// internal attributes, bit 2 the external attributes), so that a
// streaming reader knows a file's type and mode. libarchive (bsdtar,
// Windows' tar.exe, macOS tar) takes them from the field, in the central
// record and in the local header, the local header's last; Go's reader,
// Info-ZIP's unzip and 7-Zip ignore it.
const ZipXLID = 0x6c78

// ZipXLDisagrees returns, for the extra field block extra (a central
// record's or a local header's), why an "xl" field in it gives libarchive
// another host system or other external attributes than the central
// record's (host, ext), or "": libarchive then installs the entry as
// another type (a symbolic link) or with other modes (set-ID bits) than
// every other extractor, and than the walkers judged.
func ZipXLDisagrees(extra []byte, host uint8, ext uint32) string {
	le := binary.LittleEndian
	for len(extra) >= 4 {
		tag, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return ""
		}
		if tag == ZipXLID && n >= 1 {
			f := extra[1:n]
			bitmap := extra[0]
			if bitmap&1 != 0 && len(f) >= 2 {
				if f[1] != host {
					return fmt.Sprintf("an \"xl\" extra field (0x%04x) giving host system %d, not %d", ZipXLID, f[1], host)
				}
				f = f[2:]
			}
			if bitmap&2 != 0 && len(f) >= 2 {
				f = f[2:]
			}
			if bitmap&4 != 0 && len(f) >= 4 {
				if a := le.Uint32(f); a != ext {
					return fmt.Sprintf("an \"xl\" extra field (0x%04x) giving external attributes 0x%08x (mode %06o), not 0x%08x", ZipXLID, a, a>>16, ext)
				}
			}
		}
		extra = extra[n:]
	}
	return ""
}

// ZipXLMessage is the finding (file/malformed) about the zip entry named
// name whose extra field has, where, an "xl" field that disagrees with its
// central record (why, ZipXLDisagrees); done is the walker's verb.
func ZipXLMessage(name, where, why, done string) string {
	return fmt.Sprintf("zip entry %q: %s has %s; bsdtar (libarchive) takes the entry's type and mode from that field, other extractors from the central record, so what it installs (a symbolic link, set-ID bits) is not the file that was %s", name, where, why, done)
}
