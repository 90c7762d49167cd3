package sbom

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// maxHeld bounds the bytes of a compressed archive's files held in memory
// for the inventory: a tarball's files can be read only in order, and a zip
// entry's only through its decompressor, while binaries are read at offsets.
const maxHeld = 2 << 30

// zipChunkLen returns the number of records in a chunk of a zip release's
// central directory (walk.ZipChunkLen, as verify reads its input's, unless
// a test set Options.zipChunkLen).
func (b *builder) zipChunkLen() int {
	if n := b.opts.zipChunkLen; n > 0 {
		return n
	}
	return walk.ZipChunkLen
}

// listArchive lists the files of the zip archive or tarball b.root into
// b.files, read by the release walker's readers (internal/release), with the
// same checks of names and links as verify's.
func (b *builder) listArchive(kind filekind.Kind) error {
	f, size, err := b.openRoot()
	if err != nil {
		return err
	}
	if kind == archiveZip {
		return b.listZip(f, size)
	}
	return b.listTar(f, size)
}

// openRoot opens the release file b.root, an archive or installer, for the
// rest of the build (closed with the builder) and marks the release an
// archive.
func (b *builder) openRoot() (*os.File, int64, error) {
	f, err := os.Open(b.root)
	if err != nil {
		return nil, 0, fmt.Errorf("sbom: %w", err)
	}
	b.closers = append(b.closers, func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("sbom: %w", err)
	}
	b.archive = true
	return f, st.Size(), nil
}

func (b *builder) listZip(f *os.File, size int64) error {
	ra, end, ok := b.checkZipEnds(f, size, filepath.Base(b.root))
	if !ok {
		return nil
	}
	// A large archive's central directory is read a chunk at a time, as
	// verify reads its input's (walk.ZipFiles).
	files, readers, err := walk.ZipFiles(ra, end, b.zipChunkLen())
	if err != nil {
		return fmt.Errorf("sbom: %s: %w", b.root, err)
	}
	// The archive's entries count against the zip-bomb bound, as verify's
	// input's do.
	x := release.NewExpansion(size)
	if total, ok := release.ZipFilesDeclared(files); !ok || !x.Take(int64(total)) {
		b.finding(release.RuleUnreadable, signing.SeverityError, filepath.Base(b.root), release.ZipBombMessage(total, "inventoried"))
		return nil
	}
	listed := b.zipFiles(files, ra, end, "", 0)
	sib := b.zipSiblings(files, ra, end) // cabinets.go
	// Only the entries listed compressed keep their records (their
	// items open them): the readers' records of the others are dropped.
	files = nil
	for _, zr := range readers {
		clear(zr.File)
	}
	var held int64
	for _, z := range listed {
		zf, name, off := z.zf, z.name, z.off
		it := &item{path: name, expand: x, sib: sib}
		if zf.Method == zip.Store && zf.CompressedSize64 == zf.UncompressedSize64 && off >= 0 && int64(zf.UncompressedSize64) <= end-off {
			sec := io.NewSectionReader(f, off, int64(zf.UncompressedSize64))
			it.open = func() (io.ReaderAt, int64, io.Closer, error) { return sec, sec.Size(), io.NopCloser(nil), nil }
		} else {
			n := int64(min(zf.UncompressedSize64, 1<<62))
			if held += n; held > maxHeld {
				b.finding(release.RuleUnreadable, signing.SeverityError, name, fmt.Sprintf("the archive's compressed files exceed %d bytes; %s was not inventoried", int64(maxHeld), name))
				continue
			}
			it.open = func() (io.ReaderAt, int64, io.Closer, error) {
				rc, err := zf.Open()
				if err != nil {
					return nil, 0, nil, err
				}
				defer rc.Close()
				data, err := io.ReadAll(io.LimitReader(rc, n+1))
				if err != nil {
					return nil, 0, nil, err
				}
				if int64(len(data)) != n {
					return nil, 0, nil, fmt.Errorf("zip entry holds %d bytes, its header says %d", len(data), n)
				}
				return bytes.NewReader(data), n, io.NopCloser(nil), nil
			}
		}
		b.files = append(b.files, it)
	}
	return nil
}

// listTar lists the entries of the tarball b.root, the release, under
// their paths in the archive, by the walk verify makes of it (walk.Tar):
// every copy of a name, a hard link with its target's bytes. A compressed
// tarball's files are held in memory, within maxHeld.
func (b *builder) listTar(f *os.File, size int64) error {
	x := release.NewExpansion(size)
	tr, err := release.OpenTar(f, size, release.TarOptions{Take: x.Take})
	if err != nil {
		return fmt.Errorf("sbom: %s: %w", b.root, err)
	}
	defer tr.Close()
	sib := release.TarFS(f, size)
	var held int64
	walk.Tar(context.Background(), tr, walk.TarWalk{At: filepath.Base(b.root), Verb: "inventory"}, walk.TarVisitor[*item]{
		Finding: func(f signing.Finding) { b.inv.Findings = append(b.inv.Findings, f) },
		File: func(p string, e *release.Entry) (*item, bool) {
			it := &item{path: p, tarName: e.Header.Name, expand: x, sib: sib}
			if w, ok := e.Source.(release.Window); ok {
				ra, n := w.ReaderAt(), e.Size
				it.open = func() (io.ReaderAt, int64, io.Closer, error) { return ra, n, io.NopCloser(nil), nil }
			} else {
				if held += e.Size; held > maxHeld {
					b.finding(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("the tarball's files exceed %d bytes; %s was not inventoried", int64(maxHeld), p))
					return nil, false
				}
				data, err := readSource(e.Source, e.Size)
				if err != nil {
					b.finding(release.RuleMalformed, signing.SeverityError, p, fmt.Sprintf("tar entry cannot be read: %v", err))
					return nil, false
				}
				it.open = func() (io.ReaderAt, int64, io.Closer, error) {
					return bytes.NewReader(data), int64(len(data)), io.NopCloser(nil), nil
				}
			}
			b.files = append(b.files, it)
			return it, true
		},
		Hardlink: func(p string, _ *release.Entry, t *item, found bool) {
			if found {
				b.files = append(b.files, &item{path: p, open: t.open, expand: x, sib: sib})
			}
		},
		Symlink: func(e *release.Entry) { b.symlink("", e.Name, e.Link, "the archive") },
	})
	return nil
}

// perm reports the file at report path p, an entry of a what ("tar",
// "zip", "folder", "package payload", "disk image"), whose mode has a
// set-ID bit (file/setuid) or lets others write an executable
// (file/world-writable), as verify reports them (walk.PermFindings).
func (b *builder) perm(p, what string, mode fs.FileMode, recs map[string]string) {
	b.inv.Findings = append(b.inv.Findings, walk.PermFindings(p, what, mode, recs)...)
}

func readSource(src release.Source, size int64) ([]byte, error) {
	rc, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("holds %d bytes, its header says %d", len(data), size)
	}
	return data, nil
}

// layoutOf tells the layout of an archive's release from its paths: an
// Electron app for macOS (Contents/Info.plist) or Windows and Linux
// (resources/), an npm package (package/package.json), or files.
//
// A tarball or zip that wraps everything in one folder (name-1.2.3/, as
// release tarballs and packagers' zips do) is read from inside it, its
// files listed under their paths in the archive, the folder's name
// included, as verify checks them (the application's home: b.home or
// b.macHome); Diff pairs two versions' folders (rootName). An npm
// package's package/ folder is its application folder.
func (b *builder) layoutOf() {
	top := commonTop(b.files)
	if top == "package" {
		top = ""
	}
	in := func(p string) string { return release.JoinPath(top, p) }
	has := func(p string) bool {
		for _, it := range b.files {
			if it.path == in(p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("Contents/Info.plist"):
		b.inv.Layout = LayoutMacOS
		b.macHome = top
		b.asarPath = in("Contents/Resources/app.asar")
		b.appDir = in("Contents/Resources/app")
	case b.hasDir(in("resources")):
		b.inv.Layout = LayoutWindows
		b.home = top
		b.asarPath = in("resources/app.asar")
		b.appDir = in("resources/app")
	case has("package/package.json"):
		b.inv.Layout = LayoutNpm
		b.appDir = in("package")
	default:
		b.inv.Layout = LayoutFiles
	}
}

// openAsarItem opens the archive's app.asar from its bytes, its unpacked
// files read from the archive's <asar>.unpacked folder.
func (b *builder) openAsarItem(it *item) (*asar.Reader, error) {
	return b.openAsarIn(it, b.files)
}

// openAsarIn opens the asar it from its bytes, its unpacked files read
// from files' <asar>.unpacked folder.
func (b *builder) openAsarIn(it *item, files []*item) (*asar.Reader, error) {
	ra, size, c, err := it.opener()()
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, func() { c.Close() })
	unpacked := itemFS{}
	for _, f := range files {
		if name, ok := strings.CutPrefix(f.path, it.path+".unpacked/"); ok {
			unpacked[name] = f
		}
	}
	return asar.NewReaderOptions(ra, size, asar.Options{Unpacked: unpacked})
}

// itemFS is the files of an archive's release under one folder, by their
// names in it, as a file system of regular files (an asar's unpacked
// folder in a zip or an installer).
type itemFS map[string]*item

// Open opens the named file.
func (m itemFS) Open(name string) (fs.File, error) {
	it := m[name]
	if it == nil || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	ra, size, c, err := it.opener()()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &itemFile{SectionReader: io.NewSectionReader(ra, 0, size), c: c, name: path.Base(name)}, nil
}

// itemFile is an open file of an itemFS; it reads at offsets too.
type itemFile struct {
	*io.SectionReader
	c    io.Closer
	name string
}

func (f *itemFile) Stat() (fs.FileInfo, error) { return itemInfo{f.name, f.Size()}, nil }
func (f *itemFile) Close() error               { return f.c.Close() }

type itemInfo struct {
	name string
	size int64
}

func (i itemInfo) Name() string       { return i.name }
func (i itemInfo) Size() int64        { return i.size }
func (i itemInfo) Mode() fs.FileMode  { return 0o444 }
func (i itemInfo) ModTime() time.Time { return time.Time{} }
func (i itemInfo) IsDir() bool        { return false }
func (i itemInfo) Sys() any           { return nil }

// commonTop returns the one top-level folder holding every file, or "".
func commonTop(files []*item) string {
	top := ""
	for _, it := range files {
		first, _, ok := strings.Cut(it.path, "/")
		if !ok || (top != "" && first != top) {
			return ""
		}
		top = first
	}
	return top
}
