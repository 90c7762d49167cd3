package cab

import (
	"io"
	"io/fs"
	"path"
	"time"
)

// Open opens the named file or directory, as [fs.FS] says. A file's reader
// decompresses its folder from the start up to the file: reading every
// file of a large folder this way is quadratic, where [Reader.Walk] reads
// each folder once. A name held by two files opens the first.
func (c *Reader) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f := c.byName[name]; f != nil {
		d := c.newDecoder(f.Folder)
		if err := skipFolder(d, d.fo, f.FolderOffset); err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{f: f, r: &exact{lr: &io.LimitedReader{R: d, N: f.Size}, name: f.Name}}, nil
	}
	if kids, ok := c.dirs[name]; ok {
		return &dir{c: c, name: name, kids: kids}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type file struct {
	f *File
	r io.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return fileInfo{f.f}, nil }
func (f *file) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *file) Close() error               { return nil }

type fileInfo struct{ f *File }

func (i fileInfo) Name() string       { return path.Base(i.f.Name) }
func (i fileInfo) Size() int64        { return i.f.Size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return i.f.Modified }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return i.f }

type dirInfo struct{ name string }

func (i dirInfo) Name() string       { return path.Base(i.name) }
func (i dirInfo) Size() int64        { return 0 }
func (i dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (i dirInfo) ModTime() time.Time { return time.Time{} }
func (i dirInfo) IsDir() bool        { return true }
func (i dirInfo) Sys() any           { return nil }

type dir struct {
	c    *Reader
	name string
	kids []string
	next int
}

func (d *dir) Stat() (fs.FileInfo, error) { return dirInfo{d.name}, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fs.ErrInvalid}
}
func (d *dir) Close() error { return nil }

// ReadDir lists the directory's entries in name order.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	left := d.kids[d.next:]
	if n > 0 && len(left) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(left) {
		left = left[:n]
	}
	out := make([]fs.DirEntry, 0, len(left))
	for _, k := range left {
		full := k
		if d.name != "." {
			full = d.name + "/" + k
		}
		if f := d.c.byName[full]; f != nil {
			out = append(out, fs.FileInfoToDirEntry(fileInfo{f}))
		} else {
			out = append(out, fs.FileInfoToDirEntry(dirInfo{full}))
		}
	}
	d.next += len(left)
	return out, nil
}
