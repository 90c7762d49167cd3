package codesign

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// appleDoubleMagic starts an AppleDouble file (RFC 1740), the companion
// "._name" in which macOS stores a file's extended attributes, Finder
// info and resource fork where the file system or archive cannot.
var appleDoubleMagic = []byte{0x00, 0x05, 0x16, 0x07}

// appleDoubleHint explains an unsealed file p in a bundle that is an
// AppleDouble companion ("._name" starting with the AppleDouble magic):
// ditto -c -k without --sequesterRsrc, and zip or tar on macOS without
// COPYFILE_DISABLE, store one beside each file that has extended
// attributes. The finding stands (unzip extracts it into the bundle, where
// the seal does not list it, and its attributes can hold any bytes), but
// the message says what it is and how to pack the app without it. It
// returns "" for any other file.
func appleDoubleHint(fsys fs.FS, p string) string {
	base := path.Base(p)
	if !strings.HasPrefix(base, "._") || len(base) == 2 {
		return ""
	}
	f, err := fsys.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	var hdr [4]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || !bytes.Equal(hdr[:], appleDoubleMagic) {
		return ""
	}
	return fmt.Sprintf("; it is the AppleDouble file holding the macOS metadata (extended attributes) of %q, which ditto -c -k without --sequesterRsrc (and zip or tar run on macOS) store beside each file; unzip extracts it into the bundle, outside the seal. Pack the app with ditto -c -k --sequesterRsrc --keepParent (metadata under __MACOSX/, outside the app) or set COPYFILE_DISABLE=1", base[2:])
}
