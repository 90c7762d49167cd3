package apfs

import (
	"bytes"
	"fmt"
	"hash/crc32"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/foldname"
)

// File-system record types (the high four bits of j_key_t).
const (
	recInode       = 3
	recXattr       = 4
	recSiblingLink = 5
	recFileExtent  = 8
	recDirRec      = 9
	recSnapName    = 11
	recFileInfo    = 13

	objIDMask   = 0x0fffffffffffffff
	typeShift   = 60
	drecLenMask = 0x3ff
)

// Inode numbers with a fixed meaning.
const (
	rootDirParent = 1
	rootDirID     = 2
)

// Names of the extended attributes read.
const (
	xattrSymlink = "com.apple.fs.symlink"
	xattrDecmpfs = "com.apple.decmpfs"
	xattrRsrc    = "com.apple.ResourceFork"
)

// j_xattr_val_t flags.
const (
	xattrDataStream   = 0x1
	xattrDataEmbedded = 0x2
)

// inode is a j_inode_val_t record.
type inode struct {
	id, parent, private uint64
	mod                 int64 // nanoseconds since 1970
	bsdFlags            uint32
	nlink               int32
	mode                uint16
	size                uint64
	at                  int64
	xattrs              map[string][]byte // inline values of the attributes read
	streamXattrs        []string          // names of those whose data is in a stream
}

// drec is a j_drec_val_t record: name in parent is inode id.
type drec struct {
	parent, id uint64
	name       string
	dtype      uint16
	at         int64
	hash       uint32 // the key's name hash (hashed keys only)
}

// Attribute is an extended attribute of a file or folder other than the
// two the reader uses (a symbolic link's target, a compressed file's
// com.apple.decmpfs): its bytes are not read.
type Attribute struct {
	Path   string
	Name   string
	Size   uint64
	Stream bool  // its data is in a data stream, not inline
	Offset int64 // byte of the container holding its record
}

// fileExtent is a j_file_extent_val_t record.
type fileExtent struct {
	logical, length, phys uint64
	flags                 uint8
	at                    int64
}

// records are the file-system tree's records the reader uses.
type records struct {
	hashed  bool
	fold    bool // names are hashed case folded (a case-insensitive volume)
	inodes  map[uint64]*inode
	dirs    map[uint64][]drec
	extents map[uint64][]fileExtent
	xattrs  map[uint64]map[string]xattr
	others  map[uint64][]Attribute // the other attributes, by inode
	streams map[uint64][]dstream   // attributes' data streams, by inode
	// bs is the block size, to place records in their nodes.
	bs int64
	// loose are the bytes of the attribute and directory records, by
	// object: those of objects not walked are listed (see loose.go).
	loose map[uint64][]span64
	// odd are the bytes of records of types the reader does not use
	// that are not of their types' sizes.
	odd []span64
}

// dstream is an attribute's data stream (j_xattr_dstream_t): its
// extents' id and its size.
type dstream struct{ id, size uint64 }

type xattr struct {
	flags uint16
	data  []byte
	at    int64
}

// fsCmp orders file-system tree keys: object id, record type, then the
// type's own key (a directory record's hash and name; an extent's
// logical address, a sibling link's id, a file info's address, as
// integers; an attribute's or snapshot's name).
func (r *records) fsCmp(a, b []byte) int {
	if len(a) < 8 || len(b) < 8 {
		return bytes.Compare(a, b)
	}
	ka, kb := le.Uint64(a), le.Uint64(b)
	if c := cmpU64(ka&objIDMask, kb&objIDMask); c != 0 {
		return c
	}
	if c := cmpU64(ka>>typeShift, kb>>typeShift); c != 0 {
		return c
	}
	a, b = a[8:], b[8:]
	switch ka >> typeShift {
	case recDirRec:
		if r.hashed && len(a) >= 4 && len(b) >= 4 {
			if c := cmpU64(uint64(le.Uint32(a)>>10), uint64(le.Uint32(b)>>10)); c != 0 {
				return c
			}
			return bytes.Compare(a[4:], b[4:])
		}
		if !r.hashed && len(a) >= 2 && len(b) >= 2 {
			return bytes.Compare(a[2:], b[2:])
		}
	case recXattr, recSnapName:
		if len(a) >= 2 && len(b) >= 2 {
			return bytes.Compare(a[2:], b[2:])
		}
	case recFileExtent, recSiblingLink, recFileInfo:
		if len(a) >= 8 && len(b) >= 8 {
			return cmpU64(le.Uint64(a), le.Uint64(b))
		}
	}
	return bytes.Compare(a, b)
}

// cString returns b up to its terminating NUL, which must be its last
// byte and its only NUL.
func cString(b []byte) (string, bool) {
	if len(b) == 0 || b[len(b)-1] != 0 || bytes.IndexByte(b, 0) != len(b)-1 {
		return "", false
	}
	return string(b[:len(b)-1]), true
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nameHash is the 22-bit hash of a directory record's name: the CRC-32C
// of its UTF-32 code points, canonically decomposed (and case folded on
// a case-insensitive volume), complemented.
func nameHash(name string, fold bool) uint32 {
	n := norm.NFD.String(name)
	if fold {
		n = foldname.Key(name)
	}
	var u []byte
	for _, r := range n {
		u = le.AppendUint32(u, uint32(r))
	}
	return ^crc32.Update(0xffffffff, castagnoli, u) & 0x3fffff
}

// add reads one leaf record of the file-system tree.
func (r *records) add(k, v []byte, at int64) error {
	if len(k) < 8 {
		return &FormatError{Offset: at, Reason: fmt.Sprintf("file-system key of %d bytes", len(k))}
	}
	oid, typ := le.Uint64(k)&objIDMask, le.Uint64(k)>>typeShift
	bad := func(f string, args ...any) error {
		return &FormatError{Offset: at, Reason: fmt.Sprintf("record of object %d (type %d): ", oid, typ) + fmt.Sprintf(f, args...)}
	}
	if typ == recXattr || typ == recDirRec {
		r.loose[oid] = append(r.loose[oid], r.place(k, at), r.place(v, at))
	}
	if !fsRecordFits(typ, k, v) {
		r.odd = append(r.odd, r.place(k, at), r.place(v, at))
	}
	switch typ {
	case recInode:
		if len(k) != 8 || len(v) < 92 {
			return bad("inode key of %d bytes, value of %d", len(k), len(v))
		}
		n := &inode{id: oid, parent: le.Uint64(v), private: le.Uint64(v[8:]), mod: int64(le.Uint64(v[24:])),
			nlink: int32(le.Uint32(v[56:])), bsdFlags: le.Uint32(v[68:]), mode: le.Uint16(v[80:]), at: at}
		size, err := inodeSize(v[92:])
		if err != nil {
			return bad("%v", err)
		}
		n.size = size
		r.inodes[oid] = n
	case recDirRec:
		var name []byte
		var hash uint32
		if r.hashed {
			if len(k) < 12 || int(le.Uint32(k[8:])&drecLenMask) != len(k)-12 {
				return bad("directory record key of %d bytes", len(k))
			}
			name, hash = k[12:], le.Uint32(k[8:])>>10
		} else {
			if len(k) < 10 || int(le.Uint16(k[8:])) != len(k)-10 {
				return bad("directory record key of %d bytes", len(k))
			}
			name = k[10:]
		}
		s, ok := cString(name)
		if !ok {
			return bad("directory record name %q is not NUL-terminated", name)
		}
		if len(v) < 18 {
			return bad("directory record value of %d bytes", len(v))
		}
		if len(r.dirs[oid]) >= maxDirEntries {
			return bad("more than %d entries in one folder", maxDirEntries)
		}
		r.dirs[oid] = append(r.dirs[oid], drec{parent: oid, id: le.Uint64(v), name: s, dtype: le.Uint16(v[16:]) & 0xf, at: at, hash: hash})
	case recFileExtent:
		if len(k) != 16 || len(v) != 24 {
			return bad("file extent key of %d bytes, value of %d", len(k), len(v))
		}
		lf := le.Uint64(v)
		r.extents[oid] = append(r.extents[oid], fileExtent{logical: le.Uint64(k[8:]), length: lf & 0x00ffffffffffffff, flags: uint8(lf >> 56), phys: le.Uint64(v[8:]), at: at})
	case recXattr:
		if len(k) < 10 || int(le.Uint16(k[8:])) != len(k)-10 {
			return bad("attribute key of %d bytes", len(k))
		}
		name, ok := cString(k[10:])
		if !ok || len(v) < 4 {
			return bad("attribute %q", k[10:])
		}
		fl, n := le.Uint16(v), int(le.Uint16(v[2:]))
		if n != len(v)-4 {
			return bad("attribute %q of %d bytes declares %d", name, len(v)-4, n)
		}
		if fl&xattrDataStream != 0 && n >= 8 && len(r.streams[oid]) < maxDirEntries {
			ds := dstream{id: le.Uint64(v[4:])} // j_xattr_dstream_t's xattr_obj_id
			if n >= 16 {
				ds.size = le.Uint64(v[4+8:]) // its dstream's size
			}
			r.streams[oid] = append(r.streams[oid], ds)
		}
		if name != xattrSymlink && name != xattrDecmpfs {
			size := uint64(n)
			if fl&xattrDataStream != 0 && n >= 16 {
				size = le.Uint64(v[4+8:]) // j_xattr_dstream_t's dstream size
			}
			r.others[oid] = append(r.others[oid], Attribute{Name: name, Size: size, Stream: fl&xattrDataStream != 0, Offset: at})
			if name != xattrRsrc {
				return nil
			}
			// Kept too: a compressed file's data may lie in it.
		}
		if r.xattrs[oid] == nil {
			r.xattrs[oid] = map[string]xattr{}
		}
		r.xattrs[oid][name] = xattr{flags: fl, data: bytes.Clone(v[4:]), at: at} // not the node's block, which is let go
	}
	return nil
}

// Inode extended field types.
const (
	inoExtDstream = 8
)

// inodeSize returns the size of the inode's data stream from its
// extended fields (xf_blob_t), zero when it has none.
func inodeSize(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if len(b) < 4 {
		return 0, fmt.Errorf("extended fields of %d bytes", len(b))
	}
	n, used := int(le.Uint16(b)), int(le.Uint16(b[2:]))
	data := 4 + 4*n
	if data > len(b) || used > len(b)-data {
		return 0, fmt.Errorf("%d extended fields of %d bytes in %d", n, used, len(b))
	}
	var size uint64
	var seen [256]bool
	at := data
	for i := range n {
		typ, sz := b[4+4*i], int(le.Uint16(b[4+4*i+2:]))
		if seen[typ] {
			// Which of two data streams macOS takes is not ours to guess.
			return 0, fmt.Errorf("extended field type %d appears twice", typ)
		}
		seen[typ] = true
		if at+sz > data+used {
			return 0, fmt.Errorf("extended field %d of %d bytes past the %d used", i, sz, used)
		}
		if typ == inoExtDstream {
			if sz < 16 {
				return 0, fmt.Errorf("data stream field of %d bytes", sz)
			}
			size = le.Uint64(b[at:])
		}
		at += (sz + 7) &^ 7
	}
	return size, nil
}
