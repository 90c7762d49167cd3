package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// openPkg walks the files of the installer package the container is, as
// the package reader shows them (see [OpenPkg]), by [WalkPkgFS], the walk
// verify makes of it too.
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
	WalkPkgFS(w.ctx, fsys, w.at, Visitor{
		Finding: w.v.Finding,
		Link:    w.v.Link,
		Entry: func(e Entry) {
			e.Nested = w.nested
			w.hand(e)
		},
	})
}

// WalkPkgFS hands the entries of fsys, the file system of the installer
// package at report path at (OpenPkg's), to v, by walk.ArchiveFS: the one
// walk of a package's payload that verify (which finds the Apple bundles
// of a Payload in fsys first) and sbom (through [Walk]) both make, so that
// both list the same files with the same findings:
//   - a file goes to v.Entry at its report path, its Source a
//     release.FSFile of fsys named by its path in the package (Payload/
//     bin/x), its Mode as the payload records it (set-ID bits included,
//     which walk.PermFindings judges as a "package payload"'s);
//   - a link goes to v.Link by its path in the package (see
//     [PkgPayloadRoot]) and its target; it is never followed, and left
//     out when its target cannot be read or v.Link is nil;
//   - a device, FIFO or socket is file/unreadable at its path
//     (walk.SpecialEntryMessage), never opened;
//   - an entry that cannot be read is file/unreadable at its path, and a
//     listing that fails file/malformed at the package.
func WalkPkgFS(ctx context.Context, fsys fs.FS, at string, v Visitor) {
	add := func(rule signing.Rule, p, msg string) {
		f := signing.NewFinding(rule, signing.SeverityError, msg)
		f.Path = p
		v.Finding(f)
	}
	err := walk.ArchiveFS(ctx, fsys, func(e walk.Entry) error {
		rp := release.JoinPath(at, e.Path)
		switch e.Kind {
		case walk.Unreadable:
			add(release.RuleUnreadable, rp, e.Err.Error())
		case walk.Link:
			if e.TargetErr == nil && v.Link != nil {
				v.Link(e.Path, e.Target)
			}
		case walk.Regular:
			v.Entry(Entry{Path: rp, Source: release.FSFile{FS: fsys, Name: e.Path}, Size: e.Size, Mode: e.Perm})
		case walk.Special:
			v.Finding(walk.SpecialFinding(rp, e.Mode, "installer package", ""))
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		add(release.RuleMalformed, at, fmt.Sprintf("cannot list archive: %v", err))
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
