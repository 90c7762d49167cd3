package pkg

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// node is a file, directory, symlink or special file (a device, a FIFO,
// a socket: never opened) of a package's file system.
type node struct {
	name string
	mode fs.FileMode
	size int64
	// data holds a file's bytes in memory; open, when set instead,
	// returns a fresh reader of them (a xar entry decoded on demand).
	data []byte
	open func() (io.Reader, error)
	link string
	kids map[string]*node
}

func newDir(name string) *node {
	return &node{name: name, mode: fs.ModeDir | 0o755, kids: map[string]*node{}}
}

func (n *node) sortedKids() []*node {
	out := make([]*node, 0, len(n.kids))
	for _, k := range n.kids {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.name, b.name) })
	return out
}

// memFS is a read-only tree of nodes. It implements fs.FS, fs.ReadDirFS,
// fs.StatFS and fs.ReadLinkFS; Open follows symlinks inside the tree (at
// most maxHops of them) and never out of it.
type memFS struct{ root *node }

const maxHops = 40

// lookup finds name; follow says whether a final symlink is followed.
func (m memFS) lookup(op, name string, follow bool) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	hops := 0
	var walk func(parts []string) (*node, error)
	walk = func(parts []string) (*node, error) {
		n := m.root
		for i, p := range parts {
			if n.mode.IsDir() == false {
				return nil, fs.ErrNotExist
			}
			c := n.kids[p]
			if c == nil {
				return nil, fs.ErrNotExist
			}
			last := i == len(parts)-1
			if c.mode&fs.ModeSymlink != 0 && (!last || follow) {
				if hops++; hops > maxHops {
					return nil, errors.New("too many levels of symbolic links")
				}
				t := c.link
				if strings.HasPrefix(t, "/") {
					return nil, fs.ErrNotExist // absolute: outside the tree
				}
				target := path.Join(strings.Join(parts[:i], "/"), t)
				if target == ".." || strings.HasPrefix(target, "../") {
					return nil, fs.ErrNotExist
				}
				rest := parts[i+1:]
				var tparts []string
				if target != "." {
					tparts = strings.Split(target, "/")
				}
				return walk(append(tparts, rest...))
			}
			n = c
		}
		return n, nil
	}
	var parts []string
	if name != "." {
		parts = strings.Split(name, "/")
	}
	n, err := walk(parts)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return n, nil
}

func (m memFS) Open(name string) (fs.File, error) {
	n, err := m.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	info := nodeInfo{n, path.Base(name)}
	if n.mode.IsDir() {
		return &dirFile{info: info, kids: n.sortedKids()}, nil
	}
	if n.mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("a special file, not a regular file")}
	}
	if n.open != nil {
		r, err := n.open()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &streamFile{info: info, r: r}, nil
	}
	return &memFile{info: info, Reader: bytes.NewReader(n.data)}, nil
}

func (m memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := m.lookup("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !n.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	var out []fs.DirEntry
	for _, k := range n.sortedKids() {
		out = append(out, fs.FileInfoToDirEntry(nodeInfo{k, k.name}))
	}
	return out, nil
}

func (m memFS) Stat(name string) (fs.FileInfo, error) {
	n, err := m.lookup("stat", name, true)
	if err != nil {
		return nil, err
	}
	return nodeInfo{n, path.Base(name)}, nil
}

func (m memFS) Lstat(name string) (fs.FileInfo, error) {
	n, err := m.lookup("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return nodeInfo{n, path.Base(name)}, nil
}

func (m memFS) ReadLink(name string) (string, error) {
	n, err := m.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.link, nil
}

type nodeInfo struct {
	n    *node
	name string
}

func (i nodeInfo) Name() string       { return i.name }
func (i nodeInfo) Size() int64        { return i.n.size }
func (i nodeInfo) Mode() fs.FileMode  { return i.n.mode }
func (i nodeInfo) ModTime() time.Time { return time.Time{} }
func (i nodeInfo) IsDir() bool        { return i.n.mode.IsDir() }
func (i nodeInfo) Sys() any           { return nil }

type memFile struct {
	info nodeInfo
	*bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type streamFile struct {
	info nodeInfo
	r    io.Reader
}

func (f *streamFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *streamFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *streamFile) Close() error               { return nil }

type dirFile struct {
	info nodeInfo
	kids []*node
	pos  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *dirFile) Close() error { return nil }

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.kids[d.pos:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && len(rest) > n {
		rest = rest[:n]
	}
	d.pos += len(rest)
	out := make([]fs.DirEntry, len(rest))
	for i, k := range rest {
		out[i] = fs.FileInfoToDirEntry(nodeInfo{k, k.name})
	}
	return out, nil
}
