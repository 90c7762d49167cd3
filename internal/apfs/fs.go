package apfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

var (
	_ fs.FS         = (*Volume)(nil)
	_ fs.ReadLinkFS = (*Volume)(nil)
)

// maxHops bounds the symbolic links followed resolving one path.
const maxHops = 40

// lookup finds the named entry, following symbolic links on the way (and
// the last one too when follow is set) as long as they stay inside the
// volume: a link to an absolute path or out of the volume resolves to
// nothing.
func (v *Volume) lookup(op, name string, follow bool) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	notExist := &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	var parts []string
	if name != "." {
		parts = strings.Split(name, "/")
	}
	cur, hops := ".", 0
	for i := 0; i < len(parts); i++ {
		p := path.Join(cur, parts[i])
		n := v.paths[p]
		if n == nil {
			return nil, notExist
		}
		last := i == len(parts)-1
		if n.mode&sIFMT == sIFLNK && (!last || follow) {
			if hops++; hops > maxHops {
				return nil, &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
			}
			t := path.Join(cur, n.target)
			if path.IsAbs(n.target) || !fs.ValidPath(t) {
				return nil, notExist
			}
			rest := parts[i+1:]
			parts = nil
			if t != "." {
				parts = strings.Split(t, "/")
			}
			parts = append(parts, rest...)
			cur, i = ".", -1
			continue
		}
		if !last && !n.dir {
			return nil, notExist
		}
		cur = p
	}
	return v.paths[cur], nil
}

// Open opens the named file or folder, following symbolic links that stay
// inside the volume.
func (v *Volume) Open(name string) (fs.File, error) {
	n, err := v.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	if n.dir {
		return &dir{n: n}, nil
	}
	return &file{n: n, r: &fileReader{c: v.c, n: n}}, nil
}

// ReadLink returns the target of the named symbolic link.
func (v *Volume) ReadLink(name string) (string, error) {
	n, err := v.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.mode&sIFMT != sIFLNK {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.target, nil
}

// Lstat describes the named entry without following a link.
func (v *Volume) Lstat(name string) (fs.FileInfo, error) {
	n, err := v.lookup("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{n}, nil
}

// Stat describes the named entry, following symbolic links that stay
// inside the volume.
func (v *Volume) Stat(name string) (fs.FileInfo, error) {
	n, err := v.lookup("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{n}, nil
}

// Paths returns every path of the file system, sorted, folders included.
func (v *Volume) Paths() []string {
	out := make([]string, 0, len(v.paths))
	for p := range v.paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// info is an entry's fs.FileInfo and fs.DirEntry.
type info struct{ n *node }

func (i info) Name() string {
	if i.n.id == rootDirID {
		return "."
	}
	return i.n.name
}

func (i info) Size() int64 {
	if i.n.dir {
		return 0
	}
	if i.n.mode&sIFMT == sIFLNK {
		return int64(len(i.n.target))
	}
	return int64(i.n.size)
}

func (i info) Mode() fs.FileMode {
	perm := fs.FileMode(i.n.mode & 0o777)
	switch {
	case i.n.dir:
		return fs.ModeDir | perm
	case i.n.mode&sIFMT == sIFLNK:
		return fs.ModeSymlink | 0o777
	}
	return perm
}

func (i info) ModTime() time.Time         { return i.n.mod }
func (i info) IsDir() bool                { return i.n.dir }
func (i info) Sys() any                   { return nil }
func (i info) Type() fs.FileMode          { return i.Mode().Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }

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

// file is an open file or link.
type file struct {
	n   *node
	r   *fileReader
	off int64
}

func (f *file) Stat() (fs.FileInfo, error) { return info{f.n}, nil }
func (f *file) Close() error               { return nil }

func (f *file) Read(b []byte) (int, error) {
	if f.n.mode&sIFMT == sIFLNK {
		if f.off >= int64(len(f.n.target)) {
			return 0, io.EOF
		}
		n := copy(b, f.n.target[f.off:])
		f.off += int64(n)
		return n, nil
	}
	n, err := f.r.ReadAt(b, f.off)
	f.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads the file's data.
func (f *file) ReadAt(b []byte, off int64) (int, error) {
	if f.n.mode&sIFMT == sIFLNK {
		return 0, errors.New("apfs: ReadAt on a symbolic link")
	}
	return f.r.ReadAt(b, off)
}

// Seek sets the offset of the next Read.
func (f *file) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += f.off
	case io.SeekEnd:
		off += int64(f.n.size)
	}
	if off < 0 {
		return 0, errors.New("apfs: negative offset")
	}
	f.off = off
	return off, nil
}

// dir is an open folder.
type dir struct {
	n   *node
	pos int
}

func (d *dir) Stat() (fs.FileInfo, error) { return info{d.n}, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errIsDir}
}

// ReadDir lists the folder's entries, sorted by name.
func (d *dir) ReadDir(count int) ([]fs.DirEntry, error) {
	rest := d.n.children[d.pos:]
	if count > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	out := make([]fs.DirEntry, len(rest))
	for i, c := range rest {
		out[i] = info{c}
	}
	d.pos += len(rest)
	return out, nil
}
