package sbom

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
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
	fsys, finds, err := walk.OpenDMG(f, size)
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, name, fmt.Sprintf("cannot read disk image: %v", err))
		return nil
	}
	for _, fd := range finds {
		fd.Path = release.JoinPath(name, fd.Path)
		b.inv.Findings = append(b.inv.Findings, fd)
	}
	b.listFS(fsys, name)
	b.installedMacApp()
	return nil
}

// installedMacApp finds the Electron app a disk image carries: the one .app
// at the image's top holding Contents/Resources/app.asar or
// Contents/Resources/app/package.json, whose runtime, fuses and asar
// integrity are then added as for an .app given on its own. With none, or
// more than one, the image is inventoried without Electron facts.
func (b *builder) installedMacApp() {
	homes := map[string]bool{}
	for _, it := range b.files {
		for _, suffix := range []string{"/Contents/Resources/app.asar", "/Contents/Resources/app/package.json"} {
			if h, ok := strings.CutSuffix(it.path, suffix); ok && strings.HasSuffix(h, ".app") && strings.Count(h, "/") == 1 {
				homes[h] = true
			}
		}
	}
	if len(homes) != 1 {
		return
	}
	for h := range homes {
		b.macHome = h
	}
	b.asarPath = b.macHome + "/Contents/Resources/app.asar"
	b.appDir = b.macHome + "/Contents/Resources/app"
}

// listFS adds the regular files of fsys to b.files under the report path
// parent, each read through fsys, and reports the entries it cannot read
// as verify does (file/unreadable).
func (b *builder) listFS(fsys fs.FS, parent string) {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		rp := release.JoinPath(parent, p)
		if err != nil {
			b.finding(release.RuleUnreadable, signing.SeverityError, rp, fmt.Sprintf("cannot read archive entry: %v", err))
			if d != nil && d.IsDir() && p != "." {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			b.files = append(b.files, &item{path: rp, open: fsOpener(fsys, p)})
		}
		return nil
	})
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, parent, fmt.Sprintf("cannot list archive: %v", err))
	}
}

// fsOpener opens the file name of fsys, which must read at random.
func fsOpener(fsys fs.FS, name string) func() (io.ReaderAt, int64, io.Closer, error) {
	return func() (io.ReaderAt, int64, io.Closer, error) {
		f, err := fsys.Open(name)
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
			return nil, 0, nil, fmt.Errorf("%s: no random access", name)
		}
		return ra, st.Size(), f, nil
	}
}
