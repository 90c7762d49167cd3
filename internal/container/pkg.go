package container

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// openPkg walks the files of the installer package the container is, as
// the package reader shows them (see [OpenPkg]), by walk.ArchiveFS, the
// walk verify makes of it too. Links are handed to
// Visitor.Link (by their paths in the package, Payload/bin/x: see
// [PkgPayloadRoot]), or left out without one; their targets are files of
// their own. A device, FIFO or socket the payload holds is file/unreadable
// at its path (walk.SpecialEntryMessage), as verify reports it.
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
	err = walk.ArchiveFS(w.ctx, fsys, func(e walk.Entry) error {
		rp := release.JoinPath(w.at, e.Path)
		switch e.Kind {
		case walk.Unreadable:
			w.add(release.RuleUnreadable, signing.SeverityError, rp, e.Err.Error())
		case walk.Link:
			if e.TargetErr == nil && w.v.Link != nil {
				w.v.Link(e.Path, e.Target)
			}
		case walk.Regular:
			w.modeEntry(rp, release.FSFile{FS: fsys, Name: e.Path}, e.Size, e.Perm)
		case walk.Special:
			w.add(release.RuleUnreadable, signing.SeverityError, rp, walk.SpecialEntryMessage(e.Mode, "installer package"))
		}
		return nil
	})
	if err != nil && w.ctx.Err() == nil {
		w.add(release.RuleMalformed, signing.SeverityError, w.at, fmt.Sprintf("cannot list archive: %v", err))
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
