package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// openPkg walks the files of the installer package the container is, as
// the package reader shows them (see [OpenPkg]). Links are handed to
// Visitor.Link (by their paths in the package, Payload/bin/x: see
// [PkgPayloadRoot]), or left out without one; their targets are files of
// their own.
func (w *walker) openPkg(ra io.ReaderAt, size int64) {
	fsys, finds, err := OpenPkg(ra, size)
	if err != nil {
		if w.ctx.Err() != nil {
			return
		}
		f := signing.NewFinding(pkg.RuleMalformed, signing.SeverityError, fmt.Sprintf("installer package cannot be read, so its files were not checked: %v", err))
		var fe *pkg.FormatError
		if errors.As(err, &fe) && fe.Offset >= 0 {
			off := fe.Offset
			f.Offset = &off
		}
		f.Path = w.at
		w.v.Finding(f)
		return
	}
	for _, f := range finds {
		f.Path = release.JoinPath(w.at, f.Path)
		w.v.Finding(f)
	}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		rp := release.JoinPath(w.at, p)
		if err != nil {
			w.add(release.RuleUnreadable, signing.SeverityError, rp, fmt.Sprintf("cannot read package entry: %v", err))
			if d != nil && d.IsDir() && p != "." {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 && w.v.Link != nil {
			if t, err := fs.ReadLink(fsys, p); err == nil {
				w.v.Link(p, t)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			w.add(release.RuleUnreadable, signing.SeverityError, rp, fmt.Sprintf("cannot stat package entry: %v", err))
			return nil
		}
		w.modeEntry(rp, release.FSFile{FS: fsys, Name: p}, info.Size(), info.Mode())
		return nil
	})
	if err != nil && w.ctx.Err() == nil {
		w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("cannot list package: %v", err))
	}
}

// PkgPayloadRoot returns the folder of an installer package's file system
// (see OpenPkg) that is the cpio archive holding the entry p: a component's
// Payload or Scripts, at the root or in the component's folder. It reports
// false for an entry of no such archive.
func PkgPayloadRoot(p string) (string, bool) {
	parts := strings.SplitN(p, "/", 3)
	for i := 0; i < len(parts)-1 && i < 2; i++ {
		if parts[i] == "Payload" || parts[i] == "Scripts" {
			return strings.Join(parts[:i+1], "/"), true
		}
	}
	return "", false
}
