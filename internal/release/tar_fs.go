package release

import (
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sync"
	"time"
)

// TarFS returns the file system of the regular files of the tarball of
// size bytes at r (plain or compressed, as [OpenTar] reads it), for an
// entry that is an MSI or a cabinet to find its external cabinets, or its
// set's other cabinets, beside it: a tarball is read front to back, its
// entries checked as they come, so its names are listed by one further
// pass over the archive, made when a file is first looked for, and each
// file opened by one more, each pass within an expansion budget of its
// own. A name given twice is its last entry, as extractors leave it; a
// hard link is the file its target was when the link came (extractors
// link the two names), a symbolic link no regular file. The file system implements
// fs.StatFS and fs.ReadDirFS and is safe for concurrent use; an opened
// file reads front to back.
func TarFS(r io.ReaderAt, size int64) fs.FS { return &tarSiblings{r: r, size: size} }

// tarSiblings is TarFS's file system.
type tarSiblings struct {
	r    io.ReaderAt
	size int64

	once sync.Once
	idx  tarIndex
	err  error // from opening the archive for the listing pass
}

var (
	_ fs.StatFS    = (*tarSiblings)(nil)
	_ fs.ReadDirFS = (*tarSiblings)(nil)
)

// tarIndex is what one pass over a tarball learns of its names.
type tarIndex struct {
	// files holds each name whose last entry is a regular file: that
	// entry's index and size.
	files map[string]tarFileAt
	// dirs holds each name given as a folder entry, or as a folder of
	// another entry's name ("." when the archive has any entry).
	dirs map[string]bool
}

// tarFileAt is where a regular file is in a tarball.
type tarFileAt struct {
	i    int
	size int64
}

// index lists the archive's names, once.
func (t *tarSiblings) index() (tarIndex, error) {
	t.once.Do(func() {
		t.idx = tarIndex{files: map[string]tarFileAt{}, dirs: map[string]bool{}}
		t.err = t.scan(func(i int, e *Entry) {
			t.idx.dirs["."] = true
			switch f, ok := t.idx.files[e.Link]; {
			case e.Type == TypeFile:
				t.idx.files[e.Name] = tarFileAt{i, e.Size}
			case e.Type == TypeHardlink && ok:
				t.idx.files[e.Name] = f // the file its target is now
			default:
				delete(t.idx.files, e.Name) // a later entry of another type replaces it
			}
			if e.Type == TypeDir {
				t.idx.dirs[e.Name] = true
			}
			for j := range len(e.Name) {
				if e.Name[j] == '/' {
					t.idx.dirs[e.Name[:j]] = true
				}
			}
		})
	})
	return t.idx, t.err
}

// scan reads the archive's entries in order, handing each to fn, with a
// budget of its own.
func (t *tarSiblings) scan(fn func(i int, e *Entry)) error {
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
		fn(i, e)
	}
}

// Stat describes the regular file or folder name.
func (t *tarSiblings) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	idx, err := t.index()
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if f, ok := idx.files[name]; ok {
		return tarSiblingInfo{name: path.Base(name), size: f.size}, nil
	}
	if idx.dirs[name] {
		return tarSiblingInfo{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists the regular files directly in folder dir, by name.
func (t *tarSiblings) ReadDir(dir string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrInvalid}
	}
	idx, err := t.index()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: err}
	}
	var out []fs.DirEntry
	for _, n := range slices.Sorted(maps.Keys(idx.files)) {
		if path.Dir(n) == dir {
			out = append(out, fs.FileInfoToDirEntry(tarSiblingInfo{name: path.Base(n), size: idx.files[n].size}))
		}
	}
	return out, nil
}

// Open opens the regular file name for reading, once, front to back: the
// archive is read up to it and kept open until the file is closed.
func (t *tarSiblings) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	ix, err := t.index()
	at, ok := ix.files[name]
	if err != nil || !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: cmpErr(err, fs.ErrNotExist)}
	}
	idx, size := at.i, at.size
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
