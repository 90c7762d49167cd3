package walk

import (
	"fmt"
	"io/fs"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
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

// SpecialFinding is the finding, at report path p, for a special file of
// type m (a device, a FIFO, a socket) that a walker lists and never opens
// (reading a pipe waits for a writer; extractors and installers skip it or
// make it something else): file/unreadable, an error. A folder's (DirTreeTypes'
// Special entry: where is "") says what the walker did not do with it
// (done: "checked", "inventoried"); an archive file system's (an
// installer package payload's: where names the container) is
// SpecialEntryMessage. verify and sbom make it by this one function.
//
// A tarball's special entries are the exception, file/tar-special-entry
// (release.TarSpecialMessage, made by Tar): that rule also covers the
// entry types extractors disagree on (GNU multi-volume and volume headers,
// vendor types), which only tar has, and a rule ID is a policy's public
// contract (its severity key, its docs anchor), so it is kept; a disk
// image volume's are reported as the volume is opened (specialInVolume),
// in words that name the volume.
func SpecialFinding(p string, m fs.FileMode, where, done string) signing.Finding {
	if where != "" {
		return finding(release.RuleUnreadable, signing.SeverityError, p, SpecialEntryMessage(m, where))
	}
	return finding(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("%s, not a regular file; it was not read or %s", SpecialKind(m), done))
}
