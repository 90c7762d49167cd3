package release

import "github.com/shipgate/shipgate/internal/filekind"

// Archive says how a file found in a release is opened as a container of
// further files (see NestedArchive).
type Archive uint8

// The archives a release's file is opened as.
const (
	// NoArchive: the file is not opened as a zip archive or a tarball.
	NoArchive Archive = iota
	// ZipArchive: the file starts with a zip local header.
	ZipArchive
	// TarArchive: the file starts a tar archive, or a gzip, xz or zstd
	// stream that may hold one.
	TarArchive
)

// NestedArchive is the one decision verify and sbom make on a file of a
// release (a directory's file, an archive's or an installer's entry),
// whose first bytes are head: open it as a zip archive or a tarball, and
// check or inventory its entries under its path (outer/inner.zip/lib/x.dll),
// nesting to MaxDepth levels within one Expansion. other says the file is
// of no other kind (no native code, asar or installer): only such a file
// is opened as a tarball, whereas a file starting with a zip header is a
// zip whatever else it is. Other containers (7-Zip, CAB, MSI, installers)
// are told by internal/container, and a zip appended to other bytes by
// internal/container's FindAppendedZip.
func NestedArchive(head []byte, other bool) Archive {
	if filekind.IsZip(head) {
		return ZipArchive
	}
	if _, ok := TarCompression(head); ok && other {
		return TarArchive
	}
	return NoArchive
}
