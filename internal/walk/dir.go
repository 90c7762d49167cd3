// Package walk enumerates the entries of a release, so that every command
// that reads a release (verify, sbom and its diff) sees the same entries,
// under the same paths, with links and special files told apart the same
// way. It reports facts; what an entry means (a finding, a file to check or
// to inventory) is its caller's decision.
//
// DirTree enumerates a directory tree; OpenDMG opens a disk image's file
// system, and HasKoly tells a disk image by its trailer.
//
// Zip archives: ZipChunks splits a large archive's central directory into
// chunks of ZipChunkLen records, each read as an archive of its own;
// verify walks its input zip by them, and sbom reads its zip release's
// entries through ZipFiles, which reads them so, so that both read the
// same records at once. Both then apply the same rules: an entry's path is its path in
// the archive, a single top folder (name-1.2.3/) included (sbom's diff
// pairs two versions' folders); the entry checks and their findings are
// internal/release's (CheckZip, ZipDuplicateMessage…, the archive named by
// its file name); a file whose end cannot be read to look for a zip there
// is file/unreadable (release.ZipSearchMessage). Package walktest holds
// the zips both packages' tests walk to show they agree.
//
// The rest of a zip archive's walk (queuing its entries), tarballs and
// installers are still opened by the callers (with internal/release and
// internal/container); they are to move here, one format at a time.
package walk

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Kind is what an entry is.
type Kind uint8

const (
	// Regular is a regular file.
	Regular Kind = iota
	// Dir is a directory; its entries follow it.
	Dir
	// Link is a symbolic link, which is never followed.
	Link
	// Special is a device, named pipe, socket or other file that is
	// neither regular, a directory nor a link; it is never opened
	// (reading a pipe waits for a writer).
	Special
	// Unreadable is an entry, or a directory's listing, that could not
	// be read: Entry.Err says why.
	Unreadable
)

// Entry is one entry of a release.
type Entry struct {
	// Path is the entry's "/"-separated path under the walked root; "."
	// is the root itself.
	Path string
	// Full is the entry's path on disk.
	Full string
	Kind Kind
	// Mode is the entry's type bits (fs.DirEntry.Type); zero when Kind
	// is Unreadable and the entry's type is unknown.
	Mode fs.FileMode
	// Perm is a Regular entry's permission bits with its set-user-ID,
	// set-group-ID and sticky bits (lstat's), zero when they could not
	// be read.
	Perm fs.FileMode
	// Target is a link's target as the link records it, and TargetErr
	// why it could not be read.
	Target    string
	TargetErr error
	// Err, when Kind is Unreadable, is why the entry could not be read;
	// it names Full.
	Err error
	// IsDir reports, on an Unreadable entry, that it is a directory whose
	// listing failed: its entries are not walked.
	IsDir bool
}

// SkipDir, returned by a visit of a Dir entry, skips the directory's
// entries.
var SkipDir = fs.SkipDir

// DirTree calls visit for each entry under root, the root first, in lexical
// order (filepath.WalkDir's). Symbolic links, the root included, are
// reported, not followed: a caller that accepts a link as its root resolves
// it first. An entry that cannot be read is reported as Unreadable and
// the walk goes on; a directory whose listing fails is reported twice, as
// Dir and then as Unreadable (IsDir), and its entries are not walked; an error visit returns, other than SkipDir, ends the
// walk and is returned, as is ctx's once it is done.
func DirTree(ctx context.Context, root string, visit func(Entry) error) error {
	return filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, rerr := filepath.Rel(root, full)
		if rerr != nil {
			return fmt.Errorf("walk: %s: %w", full, rerr)
		}
		e := Entry{Path: filepath.ToSlash(rel), Full: full}
		if d != nil {
			e.Mode = d.Type()
		}
		switch {
		case err != nil:
			e.Kind, e.Err, e.IsDir = Unreadable, err, d != nil && d.IsDir()
			if verr := visit(e); verr != nil {
				return verr
			}
			if e.IsDir {
				return fs.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			e.Kind = Link
			e.Target, e.TargetErr = os.Readlink(full)
		case d.IsDir():
			e.Kind = Dir
		case d.Type().IsRegular():
			e.Kind, e.Perm = Regular, permOf(d)
		default:
			e.Kind = Special
		}
		return visit(e)
	})
}

// SpecialKind names the kind of a file that is neither regular, a directory
// nor a symbolic link.
func SpecialKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return fmt.Sprintf("special file (mode %v)", m)
}
