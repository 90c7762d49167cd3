package sbom

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// listDMG lists the disk image b.root and the files of the volume inside
// it under the image's name (Example.dmg/Example.app/Contents/MacOS/Example),
// opened as verify opens it (walk.OpenDMG) and with its findings about the
// image and the volume. A disk image that does not read is a finding, and
// the image alone is listed. Symbolic links of the volume (the
// Applications link of an installer image) are the volume reader's
// business, as they are verify's: they are not files.
func (b *builder) listDMG() error {
	f, size, err := b.openRoot()
	if err != nil {
		return err
	}
	name := filepath.Base(b.root)
	b.files = append(b.files, &item{path: name, open: diskOpener(b.root), opened: true})
	b.listImage(f, size, name, nil, func(it *item) { it.depth = 1; b.files = append(b.files, it) })
	b.installedMacApp()
	return nil
}

// installedMacApp finds the Electron app a disk image carries: the one .app
// at the image's top holding Contents/Resources/app.asar or
// Contents/Resources/app/package.json, whose runtime, fuses and asar
// integrity are then added as for an .app given on its own. With none, or
// more than one, the image is inventoried without Electron facts.
func (b *builder) installedMacApp() {
	h, ok := b.soleHome([]string{"/Contents/Resources/app.asar", "/Contents/Resources/app/package.json"},
		func(h string) bool { return strings.HasSuffix(h, ".app") && strings.Count(h, "/") == 1 })
	if !ok {
		return
	}
	b.macHome = h
	b.asarPath = b.macHome + "/Contents/Resources/app.asar"
	b.appDir = b.macHome + "/Contents/Resources/app"
}

// listImage lists, to add, the files of the volume inside the disk image of
// size bytes at r, found at report path name, but for the paths seen
// already, with the image's findings. An image that does not read is a
// file/malformed finding.
func (b *builder) listImage(r io.ReaderAt, size int64, name string, seen map[string]lister, add func(*item)) {
	fsys, finds, err := walk.OpenDMG(r, size)
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, name, fmt.Sprintf("cannot read disk image: %v", err))
		return
	}
	for _, fd := range finds {
		fd.Path = release.JoinPath(name, fd.Path)
		b.inv.Findings = append(b.inv.Findings, fd)
	}
	b.listFS(fsys, name, seen, add)
}

// probeDMG reports whether the file at report path p of size bytes at r,
// whose first bytes tell nothing else, is a disk image as verify tells one:
// it ends with a koly trailer, or is named .dmg (one that does not read is
// then a finding). tail holds its last bytes, when read already.
func probeDMG(r io.ReaderAt, p string, tail []byte, size int64) bool {
	if strings.EqualFold(path.Ext(p), ".dmg") {
		return true
	}
	if len(tail) >= dmg.KolySize {
		return walk.IsKoly(tail[len(tail)-dmg.KolySize:])
	}
	return walk.HasKoly(r, nil, size)
}

// listFS adds, to add, the regular files of fsys under the report path
// parent, as walk.ArchiveFS lists them (verify's walk of a disk image
// lists them so too), each read through fsys, but for the paths seen already (when
// seen is set), and reports the entries it cannot read as verify does
// (file/unreadable), and their set-ID bits and world-writable programs
// (file/setuid, file/world-writable).
func (b *builder) listFS(fsys fs.FS, parent string, seen map[string]lister, add func(*item)) {
	err := walk.ArchiveFS(context.Background(), fsys, func(e walk.Entry) error {
		rp := release.JoinPath(parent, e.Path)
		switch _, listed := seen[rp]; {
		case e.Kind == walk.Unreadable:
			b.finding(release.RuleUnreadable, signing.SeverityError, rp, e.Err.Error())
		case e.Kind == walk.Regular && !listed:
			if seen != nil {
				seen[rp] = byRelease
			}
			b.perm(rp, "disk image", e.Perm, nil) // as for a folder's file
			add(&item{path: rp, open: fsOpener(fsys, e.Path, "no random access")})
		}
		return nil
	})
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, parent, fmt.Sprintf("cannot list archive: %v", err))
	}
}

// fsOpener opens the file name of fsys, which must read at random;
// notRandom says why one that does not (a folder, as a link may lead to).
func fsOpener(fsys fs.FS, name, notRandom string) func() (io.ReaderAt, int64, io.Closer, error) {
	return func() (io.ReaderAt, int64, io.Closer, error) {
		return openRandom(func() (fs.File, error) { return fsys.Open(name) }, name, notRandom)
	}
}

// openRandom opens a file with open and returns it as a reader at
// random, with its size; notRandom says why a file that cannot be read so
// is refused (fsOpener's and diskOpener's opening).
func openRandom(open func() (fs.File, error), name, notRandom string) (io.ReaderAt, int64, io.Closer, error) {
	f, err := open()
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		f.Close()
		return nil, 0, nil, fmt.Errorf("%s: %s", name, notRandom)
	}
	return ra, st.Size(), f, nil
}
