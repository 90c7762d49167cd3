package hfsplus

import (
	"io"
	"io/fs"
	"time"

	"github.com/shipgate/shipgate/internal/volfs"
)

var (
	_ fs.FS         = (*Volume)(nil)
	_ fs.ReadLinkFS = (*Volume)(nil)
)

// fsys is the volume as a volfs.FS.
func (v *Volume) fsys() volfs.FS[*node] {
	return volfs.FS[*node]{Prefix: "hfsplus", Paths: v.paths, Data: func(n *node) (io.ReaderAt, int64) {
		return &forkReader{v: v, exts: n.exts, size: int64(n.data.size), inline: n.inline}, int64(n.data.size)
	}}
}

// Open opens the named file or folder, following symbolic links that stay
// inside the volume.
func (v *Volume) Open(name string) (fs.File, error) { return v.fsys().Open(name) }

// ReadLink returns the target of the named symbolic link.
func (v *Volume) ReadLink(name string) (string, error) { return v.fsys().ReadLink(name) }

// Lstat describes the named entry without following a link.
func (v *Volume) Lstat(name string) (fs.FileInfo, error) { return v.fsys().Lstat(name) }

// Stat describes the named entry, following symbolic links that stay
// inside the volume.
func (v *Volume) Stat(name string) (fs.FileInfo, error) { return v.fsys().Stat(name) }

// Paths returns every path of the file system, sorted, folders included.
func (v *Volume) Paths() []string {
	var out []string
	fs.WalkDir(v, ".", func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TotalSize returns the sum of the sizes of the volume's files, as their
// catalog records declare them.
func (v *Volume) TotalSize() uint64 {
	var n uint64
	for _, e := range v.paths {
		if !e.dir {
			n += e.data.size
		}
	}
	return n
}

// The volfs.Node methods.

func (n *node) Name() string       { return n.name }
func (n *node) Root() bool         { return n.id == rootFolderID }
func (n *node) IsDir() bool        { return n.dir }
func (n *node) ModTime() time.Time { return n.mod }
func (n *node) Children() []*node  { return n.children }

func (n *node) Size() int64 {
	if n.dir {
		return 0
	}
	return int64(n.data.size)
}

// Link returns the target when the mode says symbolic link; a folder
// with that mode is still not followed (volfs checks IsDir).
func (n *node) Link() (string, bool) { return n.target, n.mode&sIFMT == sIFLNK }

// Mode defaults a folder's zero permissions to 0755 and a file's to 0644
// when the record holds no BSD mode.
func (n *node) Mode() fs.FileMode {
	perm := fs.FileMode(n.mode&0o777) | volfs.SpecialBits(uint32(n.mode))
	switch {
	case n.dir:
		if perm == 0 {
			perm = 0o755
		}
		return fs.ModeDir | perm
	case n.mode&sIFMT == sIFLNK:
		return fs.ModeSymlink | 0o777
	}
	if n.mode&sIFMT == 0 {
		perm = 0o644
	}
	return perm
}
