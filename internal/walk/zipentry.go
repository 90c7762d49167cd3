package walk

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// ZipEntry is an entry of a zip archive as both walkers name it
// (NameZipEntry), for ZipEntryChecks.
type ZipEntry struct {
	File *zip.File
	// Index is its index in the archive's central directory (that of
	// ZipEntryChecks.Overlap and Local).
	Index int
	// Path is its report path: the archive's path and its name.
	Path string
	// Key is its name as Windows reads it (release.ZipWindowsName):
	// duplicates and names that are one on a case-insensitive file system
	// are found by it.
	Key string
	// Dir says it is a folder.
	Dir bool
}

// ZipAction is what a walker does with an entry ZipEntryChecks checked.
type ZipAction int

// The actions of ZipEntryChecks.Check.
const (
	// ZipSkip: a folder, or an entry that is not read (the finding
	// saying why is made).
	ZipSkip ZipAction = iota
	// ZipLink: a symbolic link, whose target Check returns: the walker
	// follows it or reports it.
	ZipLink
	// ZipFile: a file to read.
	ZipFile
)

// ZipEntryChecks makes, in one order, the checks every walker of a zip
// archive (verify's, sbom's) makes of each entry once it has named it: a
// folder that holds data (file/malformed); a name held twice
// (file/duplicate-entry, once a name) or that is one with another on a
// case-insensitive file system (file/name-collision); data that overlaps
// another entry's (file/malformed, not read); a local header that names
// the entry otherwise (file/malformed); set-ID bits and world write
// (file/setuid, file/world-writable) of the mode unzip installs
// (release.ZipMode); a link that extractors disagree is one
// (release.ZipLinkDisagreement: file/malformed); an "xl" extra field
// that gives bsdtar another type or mode (release.ZipXLDisagrees:
// file/malformed); a link whose target
// cannot be read;
// encryption (file/unreadable, not read); an absurd size (file/malformed,
// not read). A check added here is made by both. Its state carries over
// from one entry to the next, across the chunks of a large archive's
// central directory.
type ZipEntryChecks struct {
	// At names the archive in findings: its report path, or an input's
	// file name.
	At string
	// Done is the walker's word for what it does with an entry
	// ("checked", "inventoried").
	Done string
	// Overlap and Local are the archive's entries, by index, whose
	// data overlaps another's (release.ZipOverlaps) and whose local
	// header names them otherwise or gives another method or size, with why (release.ZipLocalHeaders).
	Overlap map[int]bool
	Local   map[int]release.ZipLocalProblem
	// MayRepeat, when set, says whether a key may be held by more than
	// one entry (a filter kept as hashes, so that a walker of a million
	// entries need not remember every name); nil tracks every key.
	MayRepeat func(key string) bool
	// Fold, when set, says which keys may collide with another on a
	// case-insensitive file system (foldname.Filter.Hit); nil checks
	// every key.
	Fold func(key string) bool

	folds *foldname.Set
	seen  map[string]int
}

// Check checks the entry e, adding its findings with add, and says what
// the walker does with it; target is a link's target.
func (c *ZipEntryChecks) Check(e ZipEntry, add func(signing.Finding)) (_ ZipAction, target string) {
	zf := e.File
	if e.Dir {
		if release.ZipDirHasData(zf) {
			add(finding(release.RuleMalformed, signing.SeverityError, e.Path, release.ZipDirDataMessage(zf, c.Done)))
		}
		c.collisions(e, add)
		return ZipSkip, ""
	}
	if c.MayRepeat == nil || c.MayRepeat(e.Key) {
		if c.seen == nil {
			c.seen = map[string]int{}
		}
		if c.seen[e.Key] == 1 { // once a name
			add(finding(release.RuleDuplicateEntry, signing.SeverityError, e.Path, release.ZipDuplicateMessage(c.At, e.Key, c.Done)))
		}
		c.seen[e.Key]++
	}
	c.collisions(e, add)
	if c.Overlap[e.Index] {
		add(finding(release.RuleMalformed, signing.SeverityError, e.Path, release.ZipOverlapMessage(zf.Name, c.Done)))
		return ZipSkip, ""
	}
	why, ok := c.Local[e.Index]
	if ok {
		add(finding(release.RuleMalformed, signing.SeverityError, e.Path, why.Message(zf.Name, c.Done)))
	}
	// An "xl" field the local header has too is reported once, from it.
	if xl := release.ZipXLDisagrees(zf.Extra, uint8(zf.CreatorVersion>>8), zf.ExternalAttrs); xl != "" && !why.Mode {
		add(finding(release.RuleMalformed, signing.SeverityError, e.Path, release.ZipXLMessage(zf.Name, "its central directory record", xl, c.Done)))
	}
	mode := release.ZipMode(zf)
	// A file of another type (a FIFO, a device, a socket) is a regular
	// file to unzip, and to bsdtar for a socket: its set-ID bits count.
	if mode&fs.ModeSymlink == 0 {
		for _, f := range PermFindings(e.Path, "zip", mode, nil) {
			add(f)
		}
	}
	if mode&fs.ModeSymlink != 0 {
		if msg, ok := release.ZipLinkDisagreement(zf, c.Done); ok {
			add(finding(release.RuleMalformed, signing.SeverityError, e.Path, msg))
		}
		target, err := release.ZipLinkTarget(zf)
		switch {
		case errors.Is(err, release.ErrLinkUnreadable):
			add(finding(release.RuleUnreadable, signing.SeverityError, e.Path, err.Error()))
		case err != nil:
			add(finding(release.RuleMalformed, signing.SeverityError, e.Path, err.Error()))
		default:
			return ZipLink, target
		}
		return ZipSkip, ""
	}
	switch {
	case release.ZipEncrypted(zf):
		add(finding(release.RuleUnreadable, signing.SeverityError, e.Path, release.ZipEncryptedMessage(c.Done)))
	case zf.UncompressedSize64 > 1<<62:
		add(finding(release.RuleMalformed, signing.SeverityError, e.Path, fmt.Sprintf("zip entry claims an uncompressed size of %d bytes", zf.UncompressedSize64)))
	default:
		return ZipFile, ""
	}
	return ZipSkip, ""
}

// collisions reports the names e's key is one with on a case-insensitive
// file system among the entries checked before it.
func (c *ZipEntryChecks) collisions(e ZipEntry, add func(signing.Finding)) {
	if e.Key == "" || (c.Fold != nil && !c.Fold(e.Key)) {
		return
	}
	if c.folds == nil {
		c.folds = foldname.NewSet(foldname.All)
	}
	for _, col := range c.folds.Add(e.Key, e.Dir) {
		add(finding(release.RuleNameCollision, signing.SeverityWarning, e.Path, col.Message("zip", c.At, e.Key)))
	}
}
