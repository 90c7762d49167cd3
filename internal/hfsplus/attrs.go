package hfsplus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Attribute record types (TN1150, "Attributes File").
const (
	attrInline  = 0x10 // kHFSPlusAttrInlineData
	attrFork    = 0x20 // kHFSPlusAttrForkData
	attrExtents = 0x30 // kHFSPlusAttrExtents
)

// attr is a record of the attributes file.
type attr struct {
	id   uint32
	name string
	typ  uint32
	size uint64 // the inline data's or the fork's logical size
	fork fork   // a fork data attribute's fork
	more []extent
	at   int64
}

// tolerated are the attributes macOS and the Finder set on files of a
// disk image, with the largest size each is let be: metadata that
// nothing runs. Anything else, or bigger, is reported
// (ExtraAttribute). com.apple.decmpfs is tolerated inline on a file
// flagged compressed, whose data it is (or describes).
var tolerated = map[string]uint64{
	"com.apple.FinderInfo":                     32,
	"com.apple.quarantine":                     1024,
	"com.apple.lastuseddate#PS":                16,
	"com.apple.TextEncoding":                   256,
	"com.apple.provenance":                     64,
	"com.apple.metadata:_kMDItemUserTags":      4096,
	"com.apple.metadata:kMDItemWhereFroms":     4096,
	"com.apple.metadata:kMDItemDownloadedDate": 256,
}

// TolerateAttribute reports whether an extended attribute named name of
// size bytes is tolerated on a file of a disk image: Finder and download
// metadata of bounded size.
func TolerateAttribute(name string, size uint64) bool {
	max, ok := tolerated[name]
	return ok && size <= max
}

// readAttributes reads the attributes file: the inline com.apple.decmpfs
// attributes, by file ID, and every record, for the inventory.
func (v *Volume) readAttributes(t *tree) map[uint32][]byte {
	out := map[uint32][]byte{}
	be := binary.BigEndian
	type akey struct {
		id   uint32
		name string
	}
	forks := map[akey]*attr{}
	var attrs []*attr
	past := &t.past
	defer past.report(v, "the "+t.name)
	err := t.leaves(v.max, func(key, rec []byte, at int64) error {
		if len(key) < 14 || len(rec) < 4 {
			return &FormatError{Offset: at, Reason: "attribute record too short"}
		}
		name, ok := decodeName(key[12:])
		if !ok {
			return &FormatError{Offset: at, Reason: "attribute key name runs past its key"}
		}
		kend := attrKeyEnd(key)
		past.add(at+int64(kend), key[kend:])
		recAt := at + int64(len(key))
		id := be.Uint32(key[4:])
		a := &attr{id: id, name: name, typ: be.Uint32(rec), at: at}
		switch a.typ {
		case attrInline:
			if len(rec) < 16 {
				return &FormatError{Offset: at, Reason: "attribute record too short"}
			}
			n := be.Uint32(rec[12:])
			if int64(n) > int64(len(rec)-16) {
				return &FormatError{Offset: at, Reason: fmt.Sprintf("inline attribute %q of %d bytes in a %d-byte record", name, n, len(rec))}
			}
			a.size = uint64(n)
			// The record is padded to an even length; macOS need
			// not clear the pad byte of odd-sized data, so it is not
			// looked at.
			if end := 16 + int(n) + int(n&1); end <= len(rec) {
				past.add(recAt+int64(end), rec[end:])
			}
			if name == "com.apple.decmpfs" {
				if n > maxDecmpfsAttr {
					return &FormatError{Offset: at, Reason: fmt.Sprintf("com.apple.decmpfs attribute of %d bytes in a %d-byte record", n, len(rec))}
				}
				if _, dup := out[id]; dup {
					// macOS finds one of the two; which one is not ours to guess.
					v.problem("", at, "file %d has a second com.apple.decmpfs attribute: which one macOS decodes is ambiguous, so the file is not read", id)
					out[id] = []byte{}
				} else {
					out[id] = rec[16 : 16+n : 16+n]
				}
			}
		case attrFork:
			if len(rec) < 88 {
				return &FormatError{Offset: at, Reason: fmt.Sprintf("fork data attribute %q in a %d-byte record", name, len(rec))}
			}
			past.add(recAt+88, rec[88:])
			a.fork = readFork(rec[8:])
			a.size = a.fork.size
			forks[akey{id, name}] = a
		case attrExtents:
			if len(rec) < 72 {
				return &FormatError{Offset: at, Reason: fmt.Sprintf("attribute extents record %q of %d bytes", name, len(rec))}
			}
			past.add(recAt+72, rec[72:])
			f := forks[akey{id, name}]
			if f == nil {
				// Extents of no fork: their blocks are the attribute's.
				a.typ = attrFork
				f = a
				attrs = append(attrs, a)
			}
			if len(f.more) >= 8*maxExtentRecords {
				return &FormatError{Offset: at, Reason: fmt.Sprintf("attribute %q has more than %d extents records", name, maxExtentRecords)}
			}
			for i := range 8 {
				f.more = append(f.more, extent{be.Uint32(rec[8+8*i:]), be.Uint32(rec[12+8*i:])})
			}
			return nil
		default:
			a.size = uint64(len(rec))
		}
		attrs = append(attrs, a)
		return nil
	})
	if err != nil {
		off := int64(-1)
		var fe *FormatError
		if errors.As(err, &fe) {
			off = fe.Offset
		}
		v.problem("", off, "the attributes file cannot be read (compressed files are not opened, extended attributes not inventoried): %v", err)
		return nil
	}
	v.attrs = attrs
	return out
}

// inventoryAttributes reports the attributes that are not tolerated,
// once the catalog says which paths their files have.
func (v *Volume) inventoryAttributes(byID map[uint32]*node) {
	bs := uint64(v.BlockSize)
	for _, a := range v.attrs {
		p, ok := v.pathOf[a.id]
		n := byID[a.id]
		where := ""
		if !ok {
			where = fmt.Sprintf("catalog ID %d, which no path reaches; ", a.id)
		}
		switch {
		case a.typ == attrInline && a.name == "com.apple.decmpfs" && n != nil && !n.dir && n.flags&ufCompressed != 0:
			continue
		case a.typ == attrInline && TolerateAttribute(a.name, a.size):
			continue
		}
		e := Extra{Kind: ExtraAttribute, Path: p, Name: a.name, Size: int64(min(a.size, 1<<62)), Offset: a.at}
		switch a.typ {
		case attrInline:
			e.Detail = where + "inline"
			if a.name == "com.apple.decmpfs" {
				e.Detail += "; com.apple.decmpfs on an entry not flagged compressed (UF_COMPRESSED), which macOS does not read"
			}
		case attrFork:
			blocks := uint64(0)
			for _, x := range a.fork.extents {
				blocks += uint64(x.count)
			}
			for _, x := range a.more {
				blocks += uint64(x.count)
			}
			e.Detail = where + fmt.Sprintf("fork data in %d allocation blocks of %d bytes", blocks, bs)
			if x := a.fork.extents[0]; x.count > 0 {
				e.Detail += fmt.Sprintf(", from volume offset %#x", uint64(x.start)*bs)
			}
		default:
			e.Detail = where + fmt.Sprintf("record of unknown type %#x", a.typ)
		}
		e.Detail = strings.TrimSuffix(e.Detail, "; ")
		v.extra(e)
	}
}
