package walk

import (
	"archive/zip"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// ZipVisitor is what a walker does with the entries ZipEntryChecks.Walk
// names and checks.
type ZipVisitor struct {
	// Finding receives the walk's findings, in order.
	Finding func(signing.Finding)
	// Link is handed each symbolic link: its name in the archive and its
	// target (LinkEscape and LinkChains judge them).
	Link func(name, target string)
	// File is handed each file to read: zf, files[k], named name in the
	// archive, at report path p.
	File func(k int, zf *zip.File, name, p string)
	// Path, when set, returns the report path a file entry keeps (verify
	// keeps a million paths in shared blocks).
	Path func(p string) string
	// Names, when set, are the entries' names (NameZipEntry of each
	// file), which the walker computed already.
	Names []ZipName
	// Stop, when set, says the walk is to end (its context is done).
	Stop func() bool
	// Free drops each record from files once it is read, so that an
	// archive's records do not outlive their entries' jobs.
	Free bool
}

// Walk names and checks the entries files, those of an archive from
// central-directory index base on (the whole archive, or one chunk of its
// directory: ZipChunks), under report path prefix ("" for the release's
// own archive), as verify and sbom both walk them: each entry named by
// NameZipEntry, its other names reported (ZipName.Findings), one whose
// name leaves the archive, or names its root while it is a file,
// file/insecure-path, the checks of Check made,
// and each link and file handed to v.
func (c *ZipEntryChecks) Walk(files []*zip.File, base int, prefix string, v ZipVisitor) {
	for k, zf := range files {
		if v.Stop != nil && v.Stop() {
			return
		}
		if v.Free {
			files[k] = nil
		}
		var zn ZipName
		if v.Names != nil {
			zn = v.Names[k]
		} else {
			zn = NameZipEntry(zf)
		}
		for _, f := range zn.Findings(zf, prefix) {
			v.Finding(f)
		}
		// A file named "." names no path inside the archive either (unzip
		// writes it as "_"); a folder named so is the archive's root
		// (TestAttackZipFileNamedDot).
		if !zn.OK || (zn.Path == "" && !zn.Dir) {
			v.Finding(finding(release.RuleInsecurePath, signing.SeverityError, prefix, zn.InsecureMessage(c.Done)))
			continue
		}
		en := ZipEntry{File: zf, Index: base + k, Path: release.JoinPath(prefix, zn.Path), Key: zn.Key, Dir: zn.Dir}
		if !en.Dir && v.Path != nil {
			en.Path = v.Path(en.Path)
		}
		switch act, target := c.Check(en, v.Finding); act {
		case ZipLink:
			v.Link(zn.Path, target)
		case ZipFile:
			v.File(k, zf, zn.Path, en.Path)
		}
	}
}
