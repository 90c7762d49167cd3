package walk

import (
	"fmt"
	"io/fs"
)

// SpecialEntryMessage is the finding (release.RuleUnreadable, an error, at
// the entry's report path, as for a folder's or a disk image volume's
// special file) for an entry of an archive's file system of type m (an
// ArchiveFS Special entry: a device, a FIFO or a socket that an installer
// package's payload holds), in the container named by where ("installer
// package"). Verify and sbom report it in the same words.
func SpecialEntryMessage(m fs.FileMode, where string) string {
	return fmt.Sprintf("%s in the %s, not a regular file: the installer creates it as such, and it holds no file to read", SpecialKind(m), where)
}
