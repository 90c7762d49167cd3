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
	// Full is the entry's path on disk; empty for an archive's entry
	// (ArchiveFS).
	Full string
	Kind Kind
	// Mode is the entry's type bits (fs.DirEntry.Type); zero when Kind
	// is Unreadable and the entry's type is unknown.
	Mode fs.FileMode
	// Perm is a Regular archive entry's mode as its archive records it
	// (ArchiveFS: permission, set-ID and sticky bits); zero from
	// DirTreeTypes, whose callers read a file's mode as they open it.
	Perm fs.FileMode
	// Size is a Regular archive entry's size (ArchiveFS); DirTreeTypes leaves
	// it zero (a caller stats the file it opens).
	Size int64
	// Target is a link's target as the link records it, and TargetErr
	// why it could not be read.
	Target    string
	TargetErr error
	// Err, when Kind is Unreadable, is why the entry could not be read;
	// it names Full (DirTreeTypes) or is the finding's message (ArchiveFS).
	Err error
	// IsDir reports, on an Unreadable entry, that it is a directory whose
	// listing failed: its entries are not walked.
	IsDir bool
	// Listing, on a Dir entry of DirTreeTypes, is the
	// directory's entries in lexical order, read before it is visited
	// (the walk's own listing: a caller that asks what the directory
	// holds need not look again), empty but not nil for an empty
	// directory; nil when the listing failed (an Unreadable entry
	// follows) and on ArchiveFS's entries.
	Listing []fs.DirEntry
}

// SkipDir, returned by a visit of a Dir entry, skips the directory's
// entries.
var SkipDir = fs.SkipDir

// DirTreeTypes calls visit for each entry under root, the root first, in
// lexical order (filepath.WalkDir's). Symbolic links, the root included,
// are reported, not followed: a caller that accepts a link as its root
// resolves it first. An entry that cannot be read is reported as
// Unreadable and the walk goes on; a directory whose listing fails is
// reported twice, as Dir and then as Unreadable (IsDir), and its entries
// are not walked; an error visit returns, other than SkipDir, ends the
// walk and is returned, as is ctx's once it is done.
//
// Only directories' listings are read: an entry's kind is its directory
// entry's type, and a file's mode is not read (Perm is zero), as verify
// and sbom both open every file anyway and read its mode from the open
// descriptor (fstat), which costs less than a second lookup of its path
// (sbom's folderPerm, verify's job.folderPerm).
func DirTreeTypes(ctx context.Context, root string, visit func(Entry) error) error {
	clean := filepath.Clean(root) == root
	return walkListed(root, func(full string, d fs.DirEntry, list []fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, rerr := relPath(root, clean, full)
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
			e.Kind, e.Listing = Dir, list
		case d.Type().IsRegular():
			e.Kind = Regular
		default:
			e.Kind = Special
		}
		return visit(e)
	})
}

// listedFunc is fs.WalkDirFunc with, for a directory, its listing (nil
// when it failed: the function is then called again with the error).
type listedFunc func(path string, d fs.DirEntry, list []fs.DirEntry, err error) error

// walkListed is filepath.WalkDir, calls and order alike, but for a
// directory's listing, read before the directory is visited rather than
// after, and handed to fn with it.
func walkListed(root string, fn listedFunc) error {
	info, err := os.Lstat(root)
	if err != nil {
		err = fn(root, nil, nil, err)
	} else {
		err = walkListedDir(root, fs.FileInfoToDirEntry(info), fn)
	}
	if err == fs.SkipDir || err == fs.SkipAll {
		return nil
	}
	return err
}

// walkListedDir is filepath.WalkDir's walk of path, whose entry is d.
func walkListedDir(path string, d fs.DirEntry, fn listedFunc) error {
	var list []fs.DirEntry
	var lerr error
	if d.IsDir() {
		list, lerr = os.ReadDir(path)
	}
	shown := list
	switch {
	case lerr != nil:
		shown = nil
	case d.IsDir() && list == nil:
		shown = []fs.DirEntry{} // an empty directory's listing is known
	}
	if err := fn(path, d, shown, nil); err != nil || !d.IsDir() {
		if err == fs.SkipDir && d.IsDir() {
			err = nil // the directory is skipped
		}
		return err
	}
	if lerr != nil {
		// Second call, to report the listing's error.
		if err := fn(path, d, nil, lerr); err != nil {
			if err == fs.SkipDir {
				err = nil
			}
			return err
		}
	}
	for _, d1 := range list {
		if err := walkListedDir(filepath.Join(path, d1.Name()), d1, fn); err != nil {
			if err == fs.SkipDir {
				break
			}
			return err
		}
	}
	return nil
}

// relPath is filepath.Rel(root, full) for a path the walk of root gave:
// root joined with a name (a slice of full, without Rel's cleaning of
// both paths, for each of a release's files) when root is clean;
// anything else, Rel's.
func relPath(root string, clean bool, full string) (string, error) {
	if full == root {
		return ".", nil
	}
	if len(full) > len(root)+1 && full[:len(root)] == root && os.IsPathSeparator(full[len(root)]) && !os.IsPathSeparator(full[len(root)+1]) && clean {
		return full[len(root)+1:], nil
	}
	return filepath.Rel(root, full)
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
