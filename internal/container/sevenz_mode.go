package container

import (
	iofs "io/fs"

	"github.com/bodgit/sevenzip"

	"github.com/shipgate/shipgate/internal/volfs"
)

// sevenZipMode returns the mode bsdtar -p installs the file of a 7-Zip
// archive whose header is h with: the reader's (sevenzip.FileHeader.Mode,
// which takes the Unix mode in the high 16 bits of the attributes only
// when they give a file type), with the permission and set-ID bits of
// those 16 bits whenever they are not 0: libarchive applies them so,
// whether or not the attributes set FILE_ATTRIBUTE_UNIX_EXTENSION (0x8000)
// or give a type (7-Zip itself applies the permissions, never the set-ID
// bits). A set-user-ID program or a world-writable one extracted as root
// by bsdtar is so seen, whatever file type the attributes give: bsdtar
// writes a socket as a regular file, its set-ID bits kept.
//
// ok is false when the attributes hold no Unix mode (DOS attributes only,
// which give no set-ID bits), or give a folder or a symbolic link.
func sevenZipMode(h *sevenzip.FileHeader) (_ iofs.FileMode, ok bool) {
	m := h.Mode()
	u := h.Attributes >> 16
	if u == 0 || m&(iofs.ModeDir|iofs.ModeSymlink) != 0 {
		return m, false
	}
	return m.Type() | iofs.FileMode(u&0o777) | volfs.SpecialBits(u), true
}
