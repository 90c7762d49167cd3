package walk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// ArchiveFS calls visit for each entry of the file system of an archive (an
// installer package's, as container.OpenPkg reads it; a disk image's
// volume, as OpenDMG reads it; an asar's), as DirTreeTypes does for a folder:
// in lexical order (fs.WalkDir's), a directory's entries after it, the
// root itself left out unless it cannot be read. It is the one walk of
// such a file system that verify and sbom (through container.Walk) both
// make, so that both see the same entries with the same facts:
//   - a Regular entry carries its Size and, in Perm, its mode as the
//     archive records it (fs.FileInfo.Mode: permission, set-ID and sticky
//     bits), which PermFindings judges;
//   - a Link carries its Target as the link records it (TargetErr when
//     it cannot be read, or the file system reads no links); it is never
//     followed;
//   - a Special entry (a device, a pipe) is reported, never opened;
//   - an entry that cannot be read, or whose facts cannot be, is
//     Unreadable, and the walk goes on; its Err is the finding's message
//     ("cannot read archive entry: …"), naming no path (the report path
//     names the entry); a directory whose listing fails is reported so
//     (IsDir) and its entries are not walked.
//
// Entries have no Full path. An error visit returns, other than SkipDir
// (which skips a Dir's entries), ends the walk and is returned, as is
// ctx's once it is done.
func ArchiveFS(ctx context.Context, fsys fs.FS, visit func(Entry) error) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		e := Entry{Path: p}
		if d != nil {
			e.Mode = d.Type()
		}
		switch {
		case err != nil:
			e.Kind, e.Err, e.IsDir = Unreadable, fmt.Errorf("cannot read archive entry: %w", unwrapPath(err)), d != nil && d.IsDir() && p != "."
			if verr := visit(e); verr != nil {
				return verr
			}
			if e.IsDir {
				return fs.SkipDir
			}
			return nil
		case p == ".":
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			e.Kind = Link
			e.Target, e.TargetErr = fs.ReadLink(fsys, p)
		case d.IsDir():
			e.Kind = Dir
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				e.Kind, e.Err = Unreadable, fmt.Errorf("cannot stat archive entry: %w", unwrapPath(err))
				break
			}
			e.Kind, e.Perm, e.Size = Regular, info.Mode(), info.Size()
		default:
			e.Kind = Special
		}
		return visit(e)
	})
}

// unwrapPath drops the path from a *fs.PathError: findings name the entry
// already, by its report path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
