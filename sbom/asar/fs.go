package asar

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

var (
	_ fs.ReadFileFS = (*Reader)(nil)
	_ fs.ReadDirFS  = (*Reader)(nil)
	_ fs.StatFS     = (*Reader)(nil)
	_ fs.ReadLinkFS = (*Reader)(nil)
)

// resolve finds name for op, following links.
func (ar *Reader) resolve(op, name string, follow bool) (*Entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	hops := 0
	e, err := ar.lookup(name, follow, &hops)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if e.err != nil && (op == "open" || op == "read" || op == "readdir") {
		return nil, &fs.PathError{Op: op, Path: name, Err: e.err}
	}
	return e, nil
}

// Open opens the named file or directory, following links. Reading a file
// reads its bytes from the archive (or the unpacked folder) on demand; the
// file also implements [io.ReaderAt] and [io.Seeker].
func (ar *Reader) Open(name string) (fs.File, error) {
	e, err := ar.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	base := path.Base(name)
	if e.Kind == KindDir {
		return &dirFile{info: info{e: e, name: base}, ar: ar}, nil
	}
	sr, closer, err := ar.contents(e)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{info: info{e: e, name: base}, SectionReader: sr, closer: closer}, nil
}

// contents returns a reader of a file entry's bytes.
func (ar *Reader) contents(e *Entry) (*io.SectionReader, io.Closer, error) {
	if !e.Unpacked {
		return io.NewSectionReader(ar.r, ar.DataOffset()+e.Offset, e.Size), nil, nil
	}
	if ar.unpacked == nil {
		return nil, nil, &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrUnpacked, Detail: "no unpacked folder"}
	}
	f, err := ar.unpacked.Open(e.Path)
	if err != nil {
		return nil, nil, &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrUnpacked, Detail: err.Error()}
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%v)", st.Mode().Type())
	} else if err == nil && st.Size() != e.Size {
		err = fmt.Errorf("%d bytes on disk, header records %d", st.Size(), e.Size)
	}
	ra, ok := f.(io.ReaderAt)
	if err == nil && !ok {
		err = errors.New("unpacked file system does not support random access")
	}
	if err != nil {
		f.Close()
		return nil, nil, &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrUnpacked, Detail: err.Error()}
	}
	return io.NewSectionReader(ra, 0, e.Size), f, nil
}

// ReadFile returns the contents of the named file, following links.
func (ar *Reader) ReadFile(name string) ([]byte, error) {
	e, err := ar.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	if e.Kind == KindDir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	sr, closer, err := ar.contents(e)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if closer != nil {
		defer closer.Close()
	}
	b := make([]byte, e.Size) // bounded: Size was checked against the archive or the file on disk
	if _, err := io.ReadFull(sr, b); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir lists the named directory, sorted by name, following links.
func (ar *Reader) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := ar.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if e.Kind != KindDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	list := make([]fs.DirEntry, len(e.children))
	for i, c := range e.children {
		list[i] = info{e: c, name: c.Name}
	}
	return list, nil
}

// Stat describes the named entry, following links.
func (ar *Reader) Stat(name string) (fs.FileInfo, error) {
	e, err := ar.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{e: e, name: path.Base(name)}, nil
}

// Lstat describes the named entry without following a final link.
func (ar *Reader) Lstat(name string) (fs.FileInfo, error) {
	e, err := ar.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{e: e, name: path.Base(name)}, nil
}

// ReadLink returns the target of the named link relative to the link's
// directory, as a symbolic link on disk holds it. [Entry.Link] holds the
// target relative to the archive root, as the header does.
func (ar *Reader) ReadLink(name string) (string, error) {
	e, err := ar.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.Kind != KindLink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	if e.linkErr != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: e.linkErr}
	}
	return relPath(path.Dir(e.Path), e.Link), nil
}

// relPath returns target relative to dir; both are clean paths from the root.
func relPath(dir, target string) string {
	if dir == "." {
		return target
	}
	d := strings.Split(dir, "/")
	t := strings.Split(target, "/")
	if target == "." {
		t = nil
	}
	i := 0
	for i < len(d) && i < len(t) && d[i] == t[i] {
		i++
	}
	parts := make([]string, 0, len(d)-i+len(t)-i)
	for range d[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

// info is both the fs.FileInfo and the fs.DirEntry of an entry.
type info struct {
	e    *Entry
	name string
}

func (i info) Name() string { return i.name }
func (i info) Size() int64 {
	if i.e.Kind == KindFile {
		return i.e.Size
	}
	return 0
}
func (i info) Mode() fs.FileMode {
	switch i.e.Kind {
	case KindDir:
		return fs.ModeDir | 0o555
	case KindLink:
		return fs.ModeSymlink | 0o777
	}
	if i.e.Executable {
		return 0o555
	}
	return 0o444
}
func (i info) ModTime() time.Time         { return time.Time{} }
func (i info) IsDir() bool                { return i.e.Kind == KindDir }
func (i info) Sys() any                   { return i.e }
func (i info) Type() fs.FileMode          { return i.Mode().Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }
func (i info) String() string             { return fs.FormatFileInfo(i) }

// file is an open file of the archive.
type file struct {
	info
	*io.SectionReader
	closer io.Closer
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error {
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// dirFile is an open directory of the archive.
type dirFile struct {
	info
	ar  *Reader
	pos int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.e.Path, Err: errors.New("is a directory")}
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.e.children[d.pos:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	list := make([]fs.DirEntry, len(rest))
	for i, c := range rest {
		list[i] = info{e: c, name: c.Name}
	}
	d.pos += len(rest)
	return list, nil
}
