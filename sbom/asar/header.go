package asar

import (
	"sort"
	"strconv"
	"strings"
)

// Kind is the kind of an archive entry.
type Kind int

const (
	// KindDir is a directory: {"files": {...}}.
	KindDir Kind = iota
	// KindFile is a file: {"size": n, "offset": "n"} or {"size": n, "unpacked": true}.
	KindFile
	// KindLink is a link: {"link": "path/from/the/archive/root"}.
	KindLink
)

// String returns "dir", "file" or "link".
func (k Kind) String() string {
	switch k {
	case KindDir:
		return "dir"
	case KindFile:
		return "file"
	case KindLink:
		return "link"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Integrity is the integrity a header records for a file.
type Integrity struct {
	// Algorithm is the hash algorithm as recorded; "SHA256" is the only one
	// Electron knows.
	Algorithm string
	// Hash is the hex digest of the whole file.
	Hash string
	// BlockSize is the size of the blocks hashed in Blocks.
	BlockSize int64
	// Blocks are the hex digests of each BlockSize chunk of the file; an empty
	// file has one block, the digest of no bytes.
	Blocks []string
}

// Entry is one directory, file or link of an archive.
type Entry struct {
	// Path is the entry's path from the archive root, "/"-separated; the root
	// is ".".
	Path string
	// Name is the last element of Path.
	Name string
	// Kind says whether the entry is a directory, file or link.
	Kind Kind
	// Size is the file size in bytes.
	Size int64
	// Offset is the file's offset in the data region, -1 for unpacked files.
	Offset int64
	// Unpacked reports that the file's bytes live in the unpacked folder.
	Unpacked bool
	// Executable reports the header's executable flag.
	Executable bool
	// Link is the link target, relative to the archive root, cleaned.
	Link string
	// Integrity is the recorded integrity, nil when there is none.
	Integrity *Integrity

	headerOff int64
	children  []*Entry // sorted by name
	err       error    // set when the entry is unusable
	linkErr   error    // set when the link target itself is invalid
	// integ holds the parsed integrity Integrity points to: allocated
	// with the entry, as most entries are files that have one.
	integ integrityAlloc
}

// integrityAlloc is an Integrity with room for its first block, which is
// all most files have.
type integrityAlloc struct {
	in  Integrity
	one [1]string
}

// HeaderOffset is the byte offset in the archive of the entry's JSON value.
func (e *Entry) HeaderOffset() int64 { return e.headerOff }

// Err is the problem that makes the entry unreadable, or nil.
func (e *Entry) Err() error { return e.err }

// Children are the entries of a directory, sorted by name.
func (e *Entry) Children() []*Entry { return e.children }

func (e *Entry) child(name string) *Entry {
	i := sort.Search(len(e.children), func(i int) bool { return e.children[i].Name >= name })
	if i < len(e.children) && e.children[i].Name == name {
		return e.children[i]
	}
	return nil
}

// keyBit numbers the keys an entry may hold, to find duplicates.
func keyBit(k string) uint8 {
	switch k {
	case "files":
		return 1
	case "size":
		return 2
	case "offset":
		return 4
	case "executable":
		return 8
	case "unpacked":
		return 16
	case "link":
		return 32
	case "integrity":
		return 64
	}
	return 0
}

// safeName reports whether an entry name may appear in a path.
func safeName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, "/\\\x00")
}
