package release

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// TarFS returns the file system of the regular files of the tarball of
// size bytes at r (plain or compressed, as [OpenTar] reads it), for an
// entry that is an MSI or a cabinet to find its external cabinets, or its
// set's other cabinets, beside it: a tarball is read front to back, its
// entries checked as they come, so a file is found by further passes over
// the archive, made only when one is looked for, each within an expansion
// budget of its own. A name given twice is its last entry, as extractors
// leave it; hard and symbolic links are not regular files. The file
// system implements fs.StatFS and fs.ReadDirFS; an opened file reads
// front to back.
func TarFS(r io.ReaderAt, size int64) fs.FS { return tarSiblings{r, size} }

// tarSiblings is TarFS's file system.
type tarSiblings struct {
	r    io.ReaderAt
	size int64
}

var (
	_ fs.StatFS    = tarSiblings{}
	_ fs.ReadDirFS = tarSiblings{}
)

// errTarSiblingStop ends a pass early.
var errTarSiblingStop = errors.New("stop")

// scan reads the archive's entries in order, handing each to fn until it
// returns false; each pass has a budget of its own.
func (t tarSiblings) scan(fn func(i int, e *Entry) bool) error {
	tr, err := OpenTar(t.r, t.size, TarOptions{Take: NewExpansion(t.size).Take})
	if err != nil {
		return err
	}
	defer tr.Close()
	for i := 0; ; i++ {
		e, err := tr.Next()
		if err != nil {
			return nil // the end, or what the walk reports
		}
		if !fn(i, e) {
			return errTarSiblingStop
		}
	}
}

// last returns the index and size of the last regular file named name,
// and whether name is a folder of the archive.
func (t tarSiblings) last(name string) (idx int, size int64, dir bool, err error) {
	idx = -1
	err = t.scan(func(i int, e *Entry) bool {
		switch {
		case e.Name == name && e.Type == TypeFile:
			idx, size = i, e.Size
		case e.Name == name:
			idx = -1 // a later entry of another type replaces it
			dir = dir || e.Type == TypeDir
		case name == "." || strings.HasPrefix(e.Name, name+"/"):
			dir = true
		}
		return true
	})
	return idx, size, dir, err
}

// Stat describes the regular file or folder name.
func (t tarSiblings) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	idx, size, dir, err := t.last(name)
	switch {
	case err != nil:
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	case idx >= 0:
		return tarSiblingInfo{name: path.Base(name), size: size}, nil
	case dir:
		return tarSiblingInfo{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists the regular files directly in folder dir, by name.
func (t tarSiblings) ReadDir(dir string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrInvalid}
	}
	files := map[string]int64{}
	err := t.scan(func(_ int, e *Entry) bool {
		if path.Dir(e.Name) != dir {
			return true
		}
		if e.Type == TypeFile {
			files[path.Base(e.Name)] = e.Size
		} else {
			delete(files, path.Base(e.Name))
		}
		return true
	})
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: err}
	}
	var out []fs.DirEntry
	for _, n := range slices.Sorted(mapsKeys(files)) {
		out = append(out, fs.FileInfoToDirEntry(tarSiblingInfo{name: n, size: files[n]}))
	}
	return out, nil
}

// Open opens the regular file name for reading, once, front to back: the
// archive is read up to it and kept open until the file is closed.
func (t tarSiblings) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	idx, size, _, err := t.last(name)
	if err != nil || idx < 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: cmpErr(err, fs.ErrNotExist)}
	}
	tr, err := OpenTar(t.r, t.size, TarOptions{Take: NewExpansion(t.size).Take})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	for i := 0; ; i++ {
		e, err := tr.Next()
		if err != nil {
			tr.Close()
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if i == idx {
			rc, err := e.Source.Open()
			if err != nil {
				tr.Close()
				return nil, &fs.PathError{Op: "open", Path: name, Err: err}
			}
			return &tarSiblingFile{ReadCloser: rc, info: tarSiblingInfo{name: path.Base(name), size: size}, tr: tr}, nil
		}
	}
}

// cmpErr returns err, or def when err is nil.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// mapsKeys returns m's keys, in no order.
func mapsKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// tarSiblingFile is an open regular file of a tarSiblings.
type tarSiblingFile struct {
	io.ReadCloser
	info tarSiblingInfo
	tr   *TarReader
}

func (f *tarSiblingFile) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *tarSiblingFile) Close() error {
	err := f.ReadCloser.Close()
	f.tr.Close()
	return err
}

// tarSiblingInfo describes a regular file or folder of a tarSiblings.
type tarSiblingInfo struct {
	name string
	size int64
	dir  bool
}

func (i tarSiblingInfo) Name() string       { return i.name }
func (i tarSiblingInfo) Size() int64        { return i.size }
func (i tarSiblingInfo) ModTime() time.Time { return time.Time{} }
func (i tarSiblingInfo) IsDir() bool        { return i.dir }
func (i tarSiblingInfo) Sys() any           { return nil }
func (i tarSiblingInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
