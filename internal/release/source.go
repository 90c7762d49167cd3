// Package release holds what shipgate's release walkers share: how a file of
// a release is read ([Source]), whatever holds it (a directory, a zip, an
// asar or a tar archive), and the safe tar reader ([TarReader]) that verify,
// sbom and git-audit's artifact comparison all use, so that a format is
// opened one way and held to one set of limits. It also holds the checks
// of zip entries (zipentry.go, zipunlisted.go, ziplocal.go, zipname.go), of
// a zip's end structures (zipends.go) and of privileged entries (setuid.go)
// that verify and sbom both make, with one wording each: verify checks the
// entries, sbom inventories them; and the one decision to open a file of a
// release as a nested zip or tarball ([NestedArchive], nested.go).
package release

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// Source reads the bytes of one file of a release. Open returns a fresh
// reader each time it can; a Source over a stream ([Stream]) can be opened
// once. The reader may also implement [io.ReaderAt], which callers that need
// random access use instead of buffering.
type Source interface {
	Open() (io.ReadCloser, error)
}

// Disk is a Source that is a file on disk; callers may read it whole in one
// system call rather than open it.
type Disk interface {
	Source
	DiskPath() string
}

// Window is a Source whose bytes lie in place in a larger file that is
// already open (a stored zip entry, a member of an uncompressed tarball).
type Window interface {
	Source
	ReaderAt() io.ReaderAt
}

// File is a file on disk, by name.
type File string

// Open opens the file.
func (f File) Open() (io.ReadCloser, error) { return os.Open(string(f)) }

// DiskPath returns the file's name.
func (f File) DiskPath() string { return string(f) }

// Section is size bytes at an offset of an open file: its reader is the
// section itself, read in place.
type Section struct{ *io.SectionReader }

// NewSection returns the size bytes at off of r.
func NewSection(r io.ReaderAt, off, size int64) Section {
	return Section{io.NewSectionReader(r, off, size)}
}

// Open returns a reader of the section from its start.
func (s Section) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(s.SectionReader, 0, s.Size())), nil
}

// ReaderAt returns the section.
func (s Section) ReaderAt() io.ReaderAt { return s.SectionReader }

// Func is a Source opened by a function (a compressed zip entry).
type Func func() (io.ReadCloser, error)

// Open calls f.
func (f Func) Open() (io.ReadCloser, error) { return f() }

// FSFile is a file of a file system (an asar archive, a zip reader).
type FSFile struct {
	FS   fs.FS
	Name string
}

// Open opens the file in its file system.
func (f FSFile) Open() (io.ReadCloser, error) { return f.FS.Open(f.Name) }

// ErrReopen says a Source over a stream was opened a second time.
var ErrReopen = errors.New("release: the entry of a compressed stream cannot be read again")

// Stream is a Source over a reader that can be read only once and only now
// (the current member of a compressed tarball).
type Stream struct {
	r    io.Reader
	used bool
}

// NewStream returns a Source that reads r once.
func NewStream(r io.Reader) *Stream { return &Stream{r: r} }

// Open returns the stream the first time, ErrReopen afterwards.
func (s *Stream) Open() (io.ReadCloser, error) {
	if s.used {
		return nil, ErrReopen
	}
	s.used = true
	return io.NopCloser(s.r), nil
}

// JoinPath joins a report path and a name inside it: "" and "." name the
// prefix itself, and an empty prefix is the release's root.
func JoinPath(prefix, name string) string {
	if name == "" || name == "." {
		return prefix
	}
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}
