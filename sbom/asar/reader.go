package asar

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// Default caps applied when the corresponding [Options] field is zero.
const (
	// DefaultMaxHeaderSize caps the JSON header: 64 MiB, far above the few
	// megabytes of large real applications.
	DefaultMaxHeaderSize = 64 << 20
	// DefaultMaxEntries caps the number of entries: about a million.
	DefaultMaxEntries = 1 << 20
	// DefaultMaxDepth caps how deeply directories nest.
	DefaultMaxDepth = 256
	// maxLinkHops caps links followed for one lookup, as SYMLOOP_MAX does and
	// @electron/asar (SYMLINK_MAX_DEPTH) does.
	maxLinkHops = 40
)

// Options configures a [Reader]. The zero value reads an archive without its
// unpacked folder, with the default caps.
type Options struct {
	// Unpacked is the "<archive>.unpacked" folder holding the files the
	// header marks unpacked, as a file system rooted at that folder. Nil
	// makes unpacked files unreadable (their Open fails with ErrUnpacked);
	// they are still listed. Use a confined file system such as
	// (*os.Root).FS so that links on disk cannot leave the folder.
	Unpacked fs.FS
	// MaxHeaderSize caps the header size in bytes; zero means DefaultMaxHeaderSize.
	MaxHeaderSize int64
	// MaxEntries caps the number of entries; zero means DefaultMaxEntries.
	MaxEntries int
	// MaxDepth caps directory nesting; zero means DefaultMaxDepth.
	MaxDepth int
}

// Reader reads an asar archive. It implements [fs.FS], [fs.ReadFileFS],
// [fs.ReadDirFS], [fs.StatFS] and [fs.ReadLinkFS], and is safe for
// concurrent use once created.
type Reader struct {
	r        io.ReaderAt
	size     int64
	closers  []io.Closer
	unpacked fs.FS

	headerSize int64 // the uint32 at offset 4
	jsonLen    int64
	header     []byte // the JSON string
	hash       [32]byte

	root     *Entry
	problems []*EntryError
	files    int
}

// Open opens the archive at name and, when the folder name+".unpacked"
// exists, reads unpacked files from it, confined with [os.Root]. Close
// releases both.
func Open(name string) (*Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var opts Options
	var root *os.Root
	if fi, err := os.Stat(name + ".unpacked"); err == nil && fi.IsDir() {
		root, err = os.OpenRoot(name + ".unpacked")
		if err != nil {
			f.Close()
			return nil, err
		}
		opts.Unpacked = root.FS()
	}
	r, err := NewReaderOptions(f, st.Size(), opts)
	if err != nil {
		f.Close()
		if root != nil {
			root.Close()
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r.closers = append(r.closers, f)
	if root != nil {
		r.closers = append(r.closers, root)
	}
	return r, nil
}

// NewReader reads the header of the archive of the given size held by r,
// with the zero [Options].
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	return NewReaderOptions(r, size, Options{})
}

// NewReaderOptions reads the header of the archive of the given size held by
// r. The error is a [*FormatError] when the header cannot be read; problems
// with single entries are listed by [Reader.Problems] instead.
func NewReaderOptions(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	maxHeader := opts.MaxHeaderSize
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderSize
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if size < 16 {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("file of %d bytes is too small for an asar header", size)}
	}
	var fixed [16]byte
	if _, err := r.ReadAt(fixed[:], 0); err != nil {
		return nil, &FormatError{Offset: 0, Reason: "reading header: " + err.Error()}
	}
	u := func(i int) int64 { return int64(binary.LittleEndian.Uint32(fixed[i:])) }
	if u(0) != 4 {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("size pickle payload is %d, want 4 (not an asar archive)", u(0))}
	}
	headerSize, payload := u(4), u(8)
	jsonLen := int64(int32(binary.LittleEndian.Uint32(fixed[12:])))
	switch {
	case headerSize > size-8:
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("header size %d reaches past the end of the %d-byte file", headerSize, size)}
	case headerSize > maxHeader:
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("header size %d exceeds the cap of %d bytes", headerSize, maxHeader)}
	case payload > headerSize-4:
		return nil, &FormatError{Offset: 8, Reason: fmt.Sprintf("header pickle payload %d exceeds header size %d", payload, headerSize)}
	case payload != headerSize-4:
		// base::Pickle, which Electron (and @electron/asar's reader)
		// read the header with, takes the payload to be the pickle's last
		// bytes: the JSON string it reads is not the one at offset 16.
		return nil, &FormatError{Offset: 8, Reason: fmt.Sprintf("header pickle payload %d is not the header size %d less 4: Electron reads the JSON string's length at offset %d, the payload's start, where this reader would read other bytes than at 12", payload, headerSize, 8+headerSize-payload)}
	case jsonLen < 0 || jsonLen > payload-4:
		return nil, &FormatError{Offset: 12, Reason: fmt.Sprintf("JSON length %d does not fit the header pickle payload %d", jsonLen, payload)}
	}
	// The JSON string and its alignment padding, read at once: the padding
	// is checked by checkUnowned.
	padLen := min((4-jsonLen%4)%4, 8+headerSize-(jsonBase+jsonLen))
	buf := make([]byte, jsonLen+padLen)
	if _, err := r.ReadAt(buf, jsonBase); err != nil {
		return nil, &FormatError{Offset: jsonBase, Reason: "reading JSON header: " + err.Error()}
	}
	header, padding := buf[:jsonLen:jsonLen], buf[jsonLen:]
	ar := &Reader{
		r:          r,
		size:       size,
		unpacked:   opts.Unpacked,
		headerSize: headerSize,
		jsonLen:    jsonLen,
		header:     header,
		hash:       sha256.Sum256(header),
	}
	p := &parser{ar: ar, maxEntries: opts.MaxEntries, maxDepth: opts.MaxDepth}
	root, err := p.parse(header)
	if err != nil {
		return nil, err
	}
	ar.root = root
	ar.problems = p.problems
	ar.checkUnowned(padding, ar.checkTree())
	sort.SliceStable(ar.problems, func(i, j int) bool {
		a, b := ar.problems[i], ar.problems[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Offset < b.Offset
	})
	return ar, nil
}

// checkTree validates data ranges and links once the whole tree is known.
// It returns the packed non-empty files in data order, as checkOverlaps
// does.
func (ar *Reader) checkTree() []*Entry {
	dataSize := ar.size - ar.DataOffset()
	var visit func(e *Entry)
	visit = func(e *Entry) {
		switch e.Kind {
		case KindDir:
			for _, c := range e.children {
				visit(c)
			}
		case KindFile:
			ar.files++
			if e.err == nil && !e.Unpacked && (e.Offset > dataSize || e.Size > dataSize-e.Offset) {
				e.err = ar.problem(e.Path, e.headerOff, ErrOutOfBounds,
					fmt.Sprintf("offset %d + size %d > %d bytes of data", e.Offset, e.Size, dataSize))
			}
		case KindLink:
			if e.err != nil {
				return
			}
			hops := 0
			if _, err := ar.follow(e, &hops); err != nil {
				var ee *EntryError
				if errors.As(err, &ee) {
					err = ee.Err
				}
				e.err = ar.problem(e.Path, e.headerOff, err, "target "+e.Link)
			}
		}
	}
	visit(ar.root)
	return ar.checkOverlaps()
}

// checkOverlaps marks packed files whose data overlap an earlier one's with
// ErrOverlap. Files are swept in (offset, path) order; empty files occupy
// no bytes (@electron/asar gives them the next file's offset) and never
// overlap. It returns the files swept, in that order.
func (ar *Reader) checkOverlaps() []*Entry {
	var files []*Entry
	var visit func(e *Entry)
	visit = func(e *Entry) {
		for _, c := range e.children {
			switch {
			case c.Kind == KindDir:
				visit(c)
			case c.Kind == KindFile && c.err == nil && !c.Unpacked && c.Size > 0:
				files = append(files, c)
			}
		}
	}
	visit(ar.root)
	sort.Slice(files, func(i, j int) bool {
		if files[i].Offset != files[j].Offset {
			return files[i].Offset < files[j].Offset
		}
		return files[i].Path < files[j].Path
	})
	var last *Entry // the kept file whose data reach furthest
	for _, f := range files {
		if last != nil && f.Offset < last.Offset+last.Size {
			start := ar.DataOffset() + f.Offset
			end := min(f.Offset+f.Size, last.Offset+last.Size)
			f.err = ar.problem(f.Path, start, ErrOverlap, fmt.Sprintf(
				"data offset %d size %d share %d bytes with %s (data offset %d size %d, header at byte 0x%x); the entry is not read",
				f.Offset, f.Size, end-f.Offset, last.Path, last.Offset, last.Size, last.headerOff))
			continue
		}
		if last == nil || f.Offset+f.Size > last.Offset+last.Size {
			last = f
		}
	}
	return files
}

func (ar *Reader) problem(p string, off int64, err error, detail string) *EntryError {
	ee := &EntryError{Path: p, Offset: off, Err: err, Detail: detail}
	ar.problems = append(ar.problems, ee)
	return ee
}

// Close closes the files [Open] opened. It does nothing for a Reader made by
// [NewReader].
func (ar *Reader) Close() error {
	var errs []error
	for _, c := range ar.closers {
		errs = append(errs, c.Close())
	}
	ar.closers = nil
	return errors.Join(errs...)
}

// Size is the size of the archive in bytes.
func (ar *Reader) Size() int64 { return ar.size }

// HeaderSize is the header pickle size recorded at offset 4.
func (ar *Reader) HeaderSize() int64 { return ar.headerSize }

// DataOffset is the offset of the data region, 8 + HeaderSize.
func (ar *Reader) DataOffset() int64 { return 8 + ar.headerSize }

// Header returns a copy of the JSON header string.
func (ar *Reader) Header() []byte { return append([]byte(nil), ar.header...) }

// HeaderHash is the lowercase hex SHA-256 of the JSON header string, the
// hash Electron's asar integrity validation compares.
func (ar *Reader) HeaderHash() string { return hex.EncodeToString(ar.hash[:]) }

// Problems lists the problems found with single entries, sorted by path.
// The slice is shared; do not modify it.
func (ar *Reader) Problems() []*EntryError { return ar.problems }

// NumFiles is the number of file entries, packed and unpacked.
func (ar *Reader) NumFiles() int { return ar.files }

// Root is the root directory entry.
func (ar *Reader) Root() *Entry { return ar.root }

// Walk calls fn for every entry in lexical path order, the root first,
// without following links. It stops at the first error fn returns.
func (ar *Reader) Walk(fn func(e *Entry) error) error {
	var visit func(e *Entry) error
	visit = func(e *Entry) error {
		if err := fn(e); err != nil {
			return err
		}
		for _, c := range e.children {
			if err := visit(c); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(ar.root)
}

// Entry returns the entry at name without following a final link (links in
// earlier components are followed). name is a path as [fs.ValidPath] accepts.
func (ar *Reader) Entry(name string) (*Entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	hops := 0
	e, err := ar.lookup(name, false, &hops)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return e, nil
}

// lookup finds name (a valid fs path); intermediate links are followed, the
// final one only when follow is set.
func (ar *Reader) lookup(name string, follow bool, hops *int) (*Entry, error) {
	e := ar.root
	if name != "." {
		rest := name
		for rest != "" {
			var elem string
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				elem, rest = rest[:i], rest[i+1:]
			} else {
				elem, rest = rest, ""
			}
			if e.Kind == KindLink {
				t, err := ar.follow(e, hops)
				if err != nil {
					return nil, err
				}
				e = t
			}
			if e.Kind != KindDir {
				return nil, fs.ErrNotExist
			}
			c := e.child(elem)
			if c == nil {
				return nil, fs.ErrNotExist
			}
			e = c
		}
	}
	if follow && e.Kind == KindLink {
		return ar.follow(e, hops)
	}
	return e, nil
}

// follow resolves a chain of links starting at e.
func (ar *Reader) follow(e *Entry, hops *int) (*Entry, error) {
	for e.Kind == KindLink {
		if e.linkErr != nil {
			return nil, e.linkErr
		}
		*hops++
		if *hops > maxLinkHops {
			return nil, ErrLinkLoop
		}
		t, err := ar.lookup(e.Link, false, hops)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, ErrDanglingLink
			}
			return nil, err
		}
		e = t
	}
	return e, nil
}

// cleanLinkTarget validates a link target, which is relative to the archive
// root, and returns it as a valid fs path.
func cleanLinkTarget(t string) (string, error) {
	if t == "" || strings.ContainsAny(t, "\\\x00") || strings.HasPrefix(t, "/") || (len(t) >= 2 && t[1] == ':') {
		return "", ErrLinkEscape
	}
	c := path.Clean(t)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", ErrLinkEscape
	}
	if !fs.ValidPath(c) {
		return "", ErrLinkEscape
	}
	return c, nil
}
