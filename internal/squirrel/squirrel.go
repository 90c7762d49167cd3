// Package squirrel finds the package a Squirrel.Windows Setup.exe carries:
// the zip (Squirrel.Windows: Update.exe and the app's full .nupkg; its
// successors: the .nupkg itself) that the Setup stub keeps as resource
// "DATA" 131 (IDR_UPDATE_ZIP in Setup's resource.h, written by
// WriteZipToSetup), so that a verifier opens it and checks the app inside.
//
// It reads the PE resource directory (PE format, "The .rsrc Section") of a
// file that faces hostile input: the three levels (type, name, language)
// are walked no deeper, every offset is checked against the resource
// section and every data entry against the file before it is used, and the
// number of entries read is bounded, so a directory that loops or claims
// millions of entries costs nothing. It is written here rather than taken
// from saferwall/pe, which parses whole images and stays behind
// signing/authenticode.
package squirrel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Squirrel's resource ("DATA", 131): Setup's resource.h, IDR_UPDATE_ZIP.
const (
	PackageType = "DATA"
	PackageID   = 131
)

// RTRCData is the predefined resource type RT_RCDATA.
const RTRCData = 10

// maxResources bounds the resources read from one file.
const maxResources = 1 << 14

// ErrNoResources says a PE file has no resource directory.
var ErrNoResources = errors.New("squirrel: no resource directory")

// FormatError says the resource directory is malformed.
type FormatError struct {
	// Offset is the file offset of the offending structure.
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("squirrel: %s at offset 0x%x", e.Reason, e.Offset)
}

// Resource is one resource of a PE file.
type Resource struct {
	// Type and Name are the resource's type and name: a string, or an ID
	// when the string is empty.
	Type, Name     string
	TypeID, NameID uint32
	Lang           uint32
	// Offset and Size locate its data in the file.
	Offset, Size int64
	// Err, when not nil, says the data entry gives data outside a
	// section's data or the file; Offset and Size are then zero. Such a
	// resource is returned so that a caller looking for one by name
	// reports it broken rather than absent.
	Err *FormatError
}

// IsPackage reports whether the resource is the one Squirrel's Setup
// extracts and installs.
func (r Resource) IsPackage() bool {
	// Resource names are matched without case, as FindResource does.
	return strings.EqualFold(r.Type, PackageType) && r.Name == "" && r.NameID == PackageID
}

// section is one section's mapping of addresses to file offsets.
type section struct{ va, vsize, raw, rawSize int64 }

// Resources returns the resources of the PE file of size bytes at r, in
// the directory's order. ErrNoResources says it has none. A malformed
// subdirectory or data entry does not stop the walk: the resources found
// elsewhere are returned with the first error, and a data entry whose
// data lies outside is returned with its Err set.
func Resources(r io.ReaderAt, size int64) ([]Resource, error) {
	le := binary.LittleEndian
	var mz [0x40]byte
	if n, _ := r.ReadAt(mz[:], 0); n < len(mz) || string(mz[:2]) != "MZ" {
		return nil, &FormatError{Offset: 0, Reason: "no MZ header"}
	}
	nt := int64(le.Uint32(mz[0x3c:]))
	var fh [24]byte
	if n, _ := r.ReadAt(fh[:], nt); n < len(fh) || string(fh[:4]) != "PE\x00\x00" {
		return nil, &FormatError{Offset: nt, Reason: "no PE header"}
	}
	nsec, optSize := int64(le.Uint16(fh[6:])), int64(le.Uint16(fh[20:]))
	opt := make([]byte, min(optSize, 240))
	if n, _ := r.ReadAt(opt, nt+24); n < len(opt) || len(opt) < 2 {
		return nil, &FormatError{Offset: nt + 24, Reason: "optional header cut short"}
	}
	dirs := 96
	if le.Uint16(opt) == 0x20b {
		dirs = 112
	}
	if len(opt) < dirs+3*8 || le.Uint32(opt[dirs-4:]) < 3 {
		return nil, ErrNoResources
	}
	rva, rsize := int64(le.Uint32(opt[dirs+16:])), int64(le.Uint32(opt[dirs+20:]))
	if rva == 0 || rsize == 0 {
		return nil, ErrNoResources
	}
	if nsec > 96 {
		return nil, &FormatError{Offset: nt + 6, Reason: fmt.Sprintf("%d sections, more than the 96 the format allows", nsec)}
	}
	st := make([]byte, 40*nsec)
	if n, _ := r.ReadAt(st, nt+24+optSize); n < len(st) {
		return nil, &FormatError{Offset: nt + 24 + optSize, Reason: "section table cut short"}
	}
	secs := make([]section, nsec)
	for i := range secs {
		s := st[40*i:]
		secs[i] = section{va: int64(le.Uint32(s[12:])), vsize: int64(le.Uint32(s[8:])), rawSize: int64(le.Uint32(s[16:])), raw: int64(le.Uint32(s[20:]))}
	}
	// toFile maps n bytes at an address to a file offset inside one
	// section's raw data and the file.
	toFile := func(a, n int64) (int64, bool) {
		for _, s := range secs {
			if a >= s.va && a-s.va < s.rawSize && n <= s.rawSize-(a-s.va) {
				off := s.raw + a - s.va
				return off, off >= 0 && off <= size && n <= size-off
			}
		}
		return 0, false
	}
	// The directory may be shorter than the section; its offsets may
	// point anywhere in the section's raw data after its start.
	root, ok := toFile(rva, 16)
	if !ok {
		return nil, &FormatError{Offset: nt + 24 + int64(dirs) + 16, Reason: fmt.Sprintf("the resource directory's address 0x%x is not in a section's data", rva)}
	}
	limit := size
	for _, s := range secs {
		if root >= s.raw && root < s.raw+s.rawSize {
			limit = min(size, s.raw+s.rawSize)
		}
	}
	w := &walker{r: r, root: root, limit: limit, toFile: toFile}
	var out []Resource
	if err := w.dir(0, 0, Resource{}, &out); err != nil {
		return out, err
	}
	return out, w.err
}

type walker struct {
	r      io.ReaderAt
	root   int64
	limit  int64
	toFile func(a, n int64) (int64, bool)
	read   int
	// err is the first error in a subdirectory or data entry: the walk
	// goes on past it, as Windows finds a resource without reading the
	// others.
	err error
}

func (w *walker) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// at reads n bytes at offset off from the directory's root.
func (w *walker) at(off, n int64) ([]byte, error) {
	p := w.root + off
	if off < 0 || p > w.limit || n > w.limit-p {
		return nil, &FormatError{Offset: p, Reason: "a resource directory offset lies outside the resource section"}
	}
	b := make([]byte, n)
	if k, _ := w.r.ReadAt(b, p); int64(k) < n {
		return nil, &FormatError{Offset: p, Reason: "cannot read the resource directory"}
	}
	return b, nil
}

// dir reads the directory at off, at level 0 (types), 1 (names) or 2
// (languages).
func (w *walker) dir(off int64, level int, cur Resource, out *[]Resource) error {
	le := binary.LittleEndian
	h, err := w.at(off, 16)
	if err != nil {
		return err
	}
	n := int64(le.Uint16(h[12:])) + int64(le.Uint16(h[14:]))
	ents, err := w.at(off+16, 8*n)
	if err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		if w.read++; w.read > maxResources {
			return &FormatError{Offset: w.root + off, Reason: fmt.Sprintf("more than %d resource entries", maxResources)}
		}
		name, data := le.Uint32(ents[8*i:]), le.Uint32(ents[8*i+4:])
		var str string
		if name&0x80000000 != 0 {
			if str, err = w.name(int64(name &^ 0x80000000)); err != nil {
				return err
			}
			name = 0
		}
		r := cur
		switch level {
		case 0:
			r.Type, r.TypeID = str, name
		case 1:
			r.Name, r.NameID = str, name
		default:
			r.Lang = name
		}
		sub := data&0x80000000 != 0
		switch {
		case level < 2 && sub:
			if err := w.dir(int64(data&^0x80000000), level+1, r, out); err != nil {
				if w.read > maxResources {
					return err
				}
				w.fail(err)
			}
		case level == 2 && !sub:
			e, err := w.at(int64(data), 16)
			if err != nil {
				w.fail(err)
				continue
			}
			a, sz := int64(le.Uint32(e)), int64(le.Uint32(e[4:]))
			off, ok := w.toFile(a, sz)
			if !ok {
				fe := &FormatError{Offset: w.root + int64(data), Reason: fmt.Sprintf("resource data of %d bytes at address 0x%x is not in a section's data", sz, a)}
				w.fail(fe)
				r.Err = fe
				*out = append(*out, r)
				continue
			}
			r.Offset, r.Size = off, sz
			*out = append(*out, r)
		default:
			w.fail(&FormatError{Offset: w.root + off + 16 + 8*i, Reason: fmt.Sprintf("a level-%d resource entry points to a %s", level+1, map[bool]string{true: "directory", false: "data entry"}[sub])})
		}
	}
	return nil
}

// name reads a resource directory string: a length, then UTF-16.
func (w *walker) name(off int64) (string, error) {
	l, err := w.at(off, 2)
	if err != nil {
		return "", err
	}
	b, err := w.at(off+2, 2*int64(binary.LittleEndian.Uint16(l)))
	if err != nil {
		return "", err
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
