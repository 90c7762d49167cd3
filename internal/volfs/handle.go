package volfs

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// info is an entry's fs.FileInfo and fs.DirEntry.
type info[N Node[N]] struct{ n N }

func (i info[N]) Name() string {
	if i.n.Root() {
		return "."
	}
	return i.n.Name()
}

func (i info[N]) Size() int64                { return i.n.Size() }
func (i info[N]) Mode() fs.FileMode          { return i.n.Mode() }
func (i info[N]) ModTime() time.Time         { return i.n.ModTime() }
func (i info[N]) IsDir() bool                { return i.n.IsDir() }
func (i info[N]) Sys() any                   { return nil }
func (i info[N]) Type() fs.FileMode          { return i.Mode().Type() }
func (i info[N]) Info() (fs.FileInfo, error) { return i, nil }

// file is an open file or link: a link reads as its target.
type file[N Node[N]] struct {
	prefix string
	n      N
	r      io.ReaderAt
	size   int64 // r's size
	off    int64
}

func (f *file[N]) Stat() (fs.FileInfo, error) { return info[N]{f.n}, nil }
func (f *file[N]) Close() error               { return nil }

func (f *file[N]) Read(b []byte) (int, error) {
	if target, ok := f.n.Link(); ok {
		if f.off >= int64(len(target)) {
			return 0, io.EOF
		}
		n := copy(b, target[f.off:])
		f.off += int64(n)
		return n, nil
	}
	if f.off >= f.size {
		return 0, io.EOF
	}
	n, err := f.r.ReadAt(b[:min(int64(len(b)), f.size-f.off)], f.off)
	f.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads the file's data.
func (f *file[N]) ReadAt(b []byte, off int64) (int, error) {
	if _, ok := f.n.Link(); ok {
		return 0, errors.New(f.prefix + ": ReadAt on a symbolic link")
	}
	return f.r.ReadAt(b, off)
}

// Seek sets the offset of the next Read.
func (f *file[N]) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += f.off
	case io.SeekEnd:
		off += f.size
	}
	if off < 0 {
		return 0, errors.New(f.prefix + ": negative offset")
	}
	f.off = off
	return off, nil
}

// dir is an open folder.
type dir[N Node[N]] struct {
	n   N
	pos int
}

func (d *dir[N]) Stat() (fs.FileInfo, error) { return info[N]{d.n}, nil }
func (d *dir[N]) Close() error               { return nil }
func (d *dir[N]) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.Name(), Err: ErrIsDir}
}

// ReadDir lists the folder's entries, sorted by name.
func (d *dir[N]) ReadDir(count int) ([]fs.DirEntry, error) {
	rest := d.n.Children()[d.pos:]
	if count > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	out := make([]fs.DirEntry, len(rest))
	for i, c := range rest {
		out[i] = info[N]{c}
	}
	d.pos += len(rest)
	return out, nil
}
