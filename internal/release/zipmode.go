package release

import (
	"archive/zip"
	"fmt"
	"io/fs"

	"github.com/shipgate/shipgate/internal/volfs"
)

// The host systems of a zip entry's "version made by" (APPNOTE 4.4.2, its
// high byte) whose entries carry a Unix mode in the high 16 bits of their
// external attributes for some extractor.
const (
	zipHostFAT    = 0
	zipHostVMS    = 2
	zipHostUnix   = 3
	zipHostAtari  = 5
	zipHostQDOS   = 12
	zipHostAcorn  = 13
	zipHostBeOS   = 16
	zipHostTandem = 17
	zipHostMacOSX = 19
	zipHostAtheOS = 30
)

// unzipModeHost reports whether Info-ZIP's unzip (unix/unix.c, mapattr)
// applies the Unix mode of an entry made on host system h: its
// permissions and, with -K, its set-ID bits.
func unzipModeHost(h uint16) bool {
	switch h {
	case zipHostVMS, zipHostUnix, zipHostAtari, zipHostQDOS, zipHostAcorn, zipHostBeOS, zipHostTandem, zipHostAtheOS:
		return true
	}
	return false
}

// unzipLinkHost reports whether unzip makes a symbolic link of an entry
// made on host system h whose Unix mode says it is one (SYMLINK_HOST).
func unzipLinkHost(h uint16) bool {
	switch h {
	case zipHostVMS, zipHostUnix, zipHostAtari, zipHostBeOS, zipHostAtheOS:
		return true
	}
	return false
}

// ZipMode returns the mode of the zip entry zf as the walkers judge it:
// Go's reader's (zip.File.Mode), which reads the Unix mode of the high 16
// bits of the external attributes only for entries made on Unix (host 3)
// or macOS (host 19), and the DOS attributes otherwise; but for an entry
// made on a host system whose Unix mode unzip applies (VMS, Atari, QDOS,
// Acorn, BeOS, Tandem, AtheOS), that mode's permission and set-ID bits,
// and a symbolic link where unzip makes one (VMS, Atari, BeOS, AtheOS).
// For an entry made on MS-DOS (host 0, which Windows tools write), unzip
// applies that Unix mode too, a link included, when its owner bits agree
// with the DOS attributes (0600 for a writable file, 0400 for a read-only
// one), as PKZip for Unix writes them. So an entry Go's reader takes for a
// file holding "../../evil.dll" and unzip makes a link to it is judged as
// a link, and set-ID bits unzip -K installs are seen. Folders are Go's
// reader's.
func ZipMode(zf *zip.File) fs.FileMode {
	m := zf.Mode()
	h := zf.CreatorVersion >> 8
	u := uint32(zf.ExternalAttrs >> 16)
	if h == zipHostUnix || h == zipHostMacOSX || u == 0 || m.IsDir() {
		return m
	}
	if !unzipModeHost(h) && (h != zipHostFAT || !dosOwnerAgrees(zf.ExternalAttrs, u)) {
		return m
	}
	mode := fs.FileMode(u&0o777) | volfs.SpecialBits(u)
	if u&0o170000 == 0o120000 && (unzipLinkHost(h) || h == zipHostFAT) {
		mode |= fs.ModeSymlink
	}
	return mode
}

// dosOwnerAgrees reports whether the owner bits of the Unix mode u of a
// file entry made on MS-DOS agree with the DOS attributes (the low byte of
// its external attributes ext) as unzip requires to apply u (mapattr's
// FS_FAT_ case): read and write, or read alone for a read-only file.
func dosOwnerAgrees(ext, u uint32) bool {
	want := uint32(0o600)
	if ext&0x01 != 0 {
		want = 0o400
	}
	return u&0o700 == want
}

// ZipLinkDisagreement returns the finding (file/malformed) about the zip
// entry zf whose ZipMode says it is a symbolic link, when extractors
// disagree on that: only for an entry made on Unix (host 3) do Go's
// reader, unzip and bsdtar all make a link; unzip makes one for VMS,
// Atari, BeOS and AtheOS too, and MS-DOS (see ZipMode), where Go's reader, bsdtar and 7-Zip write a
// file holding the target, and Go's reader for macOS (host 19), where
// unzip and bsdtar write that file. The entry is judged as a link (its
// target must stay inside); the file others write was not done (the
// walker's verb).
func ZipLinkDisagreement(zf *zip.File, done string) (string, bool) {
	h := zf.CreatorVersion >> 8
	if h == zipHostUnix {
		return "", false
	}
	return fmt.Sprintf("zip entry %q is a symbolic link by the Unix mode of its external attributes, but it was made on host system %d, not Unix (3): extractors disagree on what it is (Info-ZIP's unzip makes a link for MS-DOS, VMS, Atari, BeOS and AtheOS, Go's reader for macOS, bsdtar and 7-Zip only for Unix), and those that write a file holding its target install a file that was not %s", zf.Name, h, done), true
}
