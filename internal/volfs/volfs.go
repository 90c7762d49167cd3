// Package volfs is the io/fs adapter shared by the disk-image volume
// readers (internal/hfsplus, internal/apfs): path lookup that follows
// symbolic links inside the volume with a hop limit, Open, ReadLink,
// Lstat, Stat, fs.FileInfo and fs.DirEntry values, and file and folder
// handles. A reader keeps its own tree of nodes, each implementing Node,
// and its map of paths to nodes; what differs between the formats (how
// a mode, size or link target is stored, how data is read) stays in the
// reader.
package volfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// MaxHops bounds the symbolic links followed resolving one path.
const MaxHops = 40

// ErrIsDir results when a folder is read.
var ErrIsDir = errors.New("is a directory")

// Node is a folder, file or symbolic link of a volume. N is the reader's
// own node type, so children need no conversion.
type Node[N any] interface {
	// Name is the entry's name as stored; errors use it.
	Name() string
	// Root reports the root folder, whose fs.FileInfo is named ".".
	Root() bool
	// IsDir reports a folder, which Open lists rather than reads.
	IsDir() bool
	// Mode is the entry's fs.FileMode, type bits included.
	Mode() fs.FileMode
	// ModTime is the entry's modification time.
	ModTime() time.Time
	// Size is the size Stat reports.
	Size() int64
	// Link returns a symbolic link's target; ok is false for anything
	// else. A folder whose mode says link is not followed.
	Link() (target string, ok bool)
	// Children lists a folder's entries, sorted by name.
	Children() []N
}

// FS is a volume as an fs.FS, fs.StatFS and fs.ReadLinkFS.
type FS[N Node[N]] struct {
	// Prefix starts the errors FS makes itself, e.g. "apfs".
	Prefix string
	// Paths maps every slash-separated path, "." for the root, to its
	// node.
	Paths map[string]N
	// Data returns a file's data and its size; it is called when a file
	// or link is opened.
	Data func(N) (io.ReaderAt, int64)
}

// lookup finds the named entry, following symbolic links on the way (and
// the last one too when follow is set) as long as they stay inside the
// volume: a link to an absolute path or out of the volume resolves to
// nothing.
func (v FS[N]) lookup(op, name string, follow bool) (N, error) {
	var zero N
	if !fs.ValidPath(name) {
		return zero, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	notExist := &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	var parts []string
	if name != "." {
		parts = strings.Split(name, "/")
	}
	cur, hops := ".", 0
	for i := 0; i < len(parts); i++ {
		p := path.Join(cur, parts[i])
		n, ok := v.Paths[p]
		if !ok {
			return zero, notExist
		}
		last := i == len(parts)-1
		if target, link := n.Link(); link && !n.IsDir() && (!last || follow) {
			if hops++; hops > MaxHops {
				return zero, &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
			}
			t := path.Join(cur, target)
			if path.IsAbs(target) || !fs.ValidPath(t) {
				return zero, notExist
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
		if !last && !n.IsDir() {
			return zero, notExist
		}
		cur = p
	}
	return v.Paths[cur], nil
}

// Open opens the named file or folder, following symbolic links that stay
// inside the volume.
func (v FS[N]) Open(name string) (fs.File, error) {
	n, err := v.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	if n.IsDir() {
		return &dir[N]{n: n}, nil
	}
	r, size := v.Data(n)
	return &file[N]{prefix: v.Prefix, n: n, r: r, size: size}, nil
}

// ReadLink returns the target of the named symbolic link.
func (v FS[N]) ReadLink(name string) (string, error) {
	n, err := v.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	target, ok := n.Link()
	if !ok {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return target, nil
}

// Lstat describes the named entry without following a link.
func (v FS[N]) Lstat(name string) (fs.FileInfo, error) {
	n, err := v.lookup("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info[N]{n}, nil
}

// Stat describes the named entry, following symbolic links that stay
// inside the volume.
func (v FS[N]) Stat(name string) (fs.FileInfo, error) {
	n, err := v.lookup("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info[N]{n}, nil
}
