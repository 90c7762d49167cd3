package apfs

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/shipgate/shipgate/internal/volfs"
)

var (
	_ fs.FS         = (*Volume)(nil)
	_ fs.ReadLinkFS = (*Volume)(nil)
)

// fsys is the volume as a volfs.FS.
func (v *Volume) fsys() volfs.FS[*node] {
	return volfs.FS[*node]{Prefix: "apfs", Paths: v.paths, Data: func(n *node) (io.ReaderAt, int64) {
		return &fileReader{c: v.c, n: n}, int64(n.size)
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
func (v *Volume) Paths() []string { return slices.Sorted(maps.Keys(v.paths)) }

// The volfs.Node methods.

func (n *node) Name() string         { return n.name }
func (n *node) Root() bool           { return n.top }
func (n *node) IsDir() bool          { return n.dir }
func (n *node) ModTime() time.Time   { return n.mod }
func (n *node) Children() []*node    { return n.children }
func (n *node) Link() (string, bool) { return n.target, n.mode&sIFMT == sIFLNK }

// Size is a symbolic link's target length, a file's data size.
func (n *node) Size() int64 {
	if n.dir {
		return 0
	}
	if n.mode&sIFMT == sIFLNK {
		return int64(len(n.target))
	}
	return int64(n.size)
}

// Mode keeps the inode's permissions as they are, zero included.
func (n *node) Mode() fs.FileMode {
	perm := fs.FileMode(n.mode&0o777) | volfs.SpecialBits(uint32(n.mode))
	switch {
	case n.dir:
		return fs.ModeDir | perm
	case n.mode&sIFMT == sIFLNK:
		return fs.ModeSymlink | 0o777
	}
	return perm
}

// fileReader reads a file's data: its extents (zeros where none lies,
// or where one is sparse), or its decoded inline data.
type fileReader struct {
	c *container
	n *node
}

// ReadAt reads the file's data.
func (f *fileReader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("apfs: negative offset")
	}
	size := int64(f.n.size)
	if off >= size {
		return 0, io.EOF
	}
	want := len(b)
	if int64(want) > size-off {
		b = b[:size-off]
	}
	if f.n.inline != nil {
		copy(b, f.n.inline[off:])
	} else if err := f.extents(b, off); err != nil {
		return 0, err
	}
	if len(b) < want {
		return len(b), io.EOF
	}
	return len(b), nil
}

func (f *fileReader) extents(b []byte, off int64) error {
	clear(b)
	exts := f.n.exts
	i := sort.Search(len(exts), func(i int) bool { return int64(exts[i].logical+exts[i].length) > off })
	for ; i < len(exts) && len(b) > 0; i++ {
		e := exts[i]
		start := int64(e.logical)
		if start >= off+int64(len(b)) {
			break
		}
		lo := max(start, off)
		hi := min(start+int64(e.length), off+int64(len(b)))
		if e.phys == 0 {
			continue
		}
		at := int64(e.phys)*int64(f.c.blockSize) + (lo - start)
		if _, err := f.c.r.ReadAt(b[lo-off:hi-off], at); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return &fs.PathError{Op: "read", Path: f.n.name, Err: err}
		}
	}
	return nil
}
