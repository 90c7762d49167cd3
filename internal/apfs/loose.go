package apfs

import "bytes"

// File-system record types the reader does not use, whose sizes are
// checked (fsRecordFits).
const (
	recDstreamID  = 6
	recCrypto     = 7
	recDirStats   = 10
	recSiblingMap = 12
)

// The fixed parts of j_inode_val_t and j_drec_val_t, before their
// extended fields.
const (
	xattrDstreamSize = 48 // j_xattr_dstream_t
	inodeValSize     = 92
	drecValSize      = 18
)

// xfString marks an extended field holding a NUL-terminated string.
const xfString = -1

// inodeXfields and drecXfields are the sizes of the extended fields
// (x_field_t) of inodes and directory records, by type: a snapshot's
// xid, a delta tree's oid, a document id, the name, the previous size,
// Finder information, the data stream, the folder statistics' key, the
// file system's UUID, the sparse bytes, the device, the purgeable
// flags, the original sync root; a directory record's sibling id.
var (
	inodeXfields = map[byte][]int{1: {8}, 2: {8}, 3: {4}, 4: {xfString}, 5: {8}, 7: {4}, inoExtDstream: {40}, 10: {8, 32}, 11: {16}, 13: {8}, 14: {4}, 15: {8}, 16: {8}}
	drecXfields  = map[byte][]int{1: {8}}
)

// xfieldsFit reports whether the extended fields b (xf_blob_t) are
// exactly their fields, each of a known type and of its size, with zero
// padding: bytes nothing reads would otherwise hide in unknown fields,
// past the fields, or in their padding.
func xfieldsFit(b []byte, known map[byte][]int) bool {
	if len(b) == 0 {
		return true
	}
	if len(b) < 4 {
		return false
	}
	n, used := int(le.Uint16(b)), int(le.Uint16(b[2:]))
	at := 4 + 4*n
	if at+used != len(b) {
		return false
	}
	for i := range n {
		typ, sz := b[4+4*i], int(le.Uint16(b[4+4*i+2:]))
		pad := (sz + 7) &^ 7
		if pad > len(b)-at || !xfieldSize(known[typ], b[at:at+sz]) || len(bytes.Trim(b[at+sz:at+pad], "\x00")) > 0 {
			return false
		}
		at += pad
	}
	return at == len(b)
}

// xfieldSize reports whether field f is of one of the sizes.
func xfieldSize(sizes []int, f []byte) bool {
	for _, s := range sizes {
		if s == len(f) {
			return true
		}
		if _, ok := cString(f); s == xfString && ok {
			return true
		}
	}
	return false
}

// span64 is a run of bytes of the container: a record's key or value.
type span64 struct{ off, n int64 }

// place returns where b, a key or value of the node at byte at (a slice
// of the node's block, which runs to the block's end), lies.
func (r *records) place(b []byte, at int64) span64 {
	return span64{at + r.bs - int64(cap(b)), int64(len(b))}
}

// fsRecordFits reports whether the file-system record k, v of type typ
// is of a type the reader reads (checked as it is read) or, for one it
// does not, of the size its type has: a sibling link (j_sibling_key_t,
// j_sibling_val_t and its name), a data stream's reference count
// (j_dstream_id_val_t), a crypto state (j_crypto_val_t and its key, at
// most 128 bytes), a folder's statistics (j_dir_stats_val_t), a sibling
// map (j_sibling_map_val_t), a file's information (j_file_info_key_t,
// j_file_data_hash_val_t and its hash). Other types have no place in the
// tree. Inodes and directory records must hold exactly extended fields
// of known types and sizes (xfieldsFit). Bytes nothing reads would
// otherwise hide in such records.
func fsRecordFits(typ uint64, k, v []byte) bool {
	switch typ {
	case recFileExtent:
		return true
	case recXattr:
		// An attribute in a data stream is listed with the stream's
		// size: its value must be exactly j_xattr_dstream_t.
		return len(v) < 2 || le.Uint16(v)&xattrDataStream == 0 || len(v) == 4+xattrDstreamSize
	case recInode:
		return len(v) < inodeValSize || xfieldsFit(v[inodeValSize:], inodeXfields)
	case recDirRec:
		return len(v) < drecValSize || xfieldsFit(v[drecValSize:], drecXfields)
	case recSiblingLink:
		return len(k) == 16 && len(v) >= 10 && len(v) == 10+int(le.Uint16(v[8:]))
	case recDstreamID:
		return len(k) == 8 && len(v) == 4
	case recCrypto:
		return len(k) == 8 && len(v) >= 24 && le.Uint16(v[22:]) <= 128 && len(v) == 24+int(le.Uint16(v[22:]))
	case recDirStats:
		return len(k) == 8 && len(v) == 32
	case recSiblingMap:
		return len(k) == 8 && len(v) == 8
	case recFileInfo:
		return len(k) == 16 && len(v) >= 3 && len(v) == 3+int(v[2])
	}
	return false
}

// looseBytes lists, with the unused bytes of owned objects, the records
// of the volume's file-system tree that nothing accounts for: attribute
// and directory records of objects no walked entry is (an inode no
// folder reaches: its attributes' inline data, its entries' names), and
// records of types the reader does not use that are not of their
// types' sizes.
func (v *Volume) looseBytes() {
	walked := map[uint64]bool{}
	for _, n := range v.paths {
		walked[n.id] = true
	}
	for oid, spans := range v.recs.loose {
		if !walked[oid] {
			for _, s := range spans {
				v.c.looseRun(s)
			}
		}
	}
	for _, s := range v.recs.odd {
		v.c.looseRun(s)
	}
}

// looseRun lists the bytes s of an owned block with its unused bytes.
func (c *container) looseRun(s span64) {
	if s.n == 0 {
		return
	}
	if c.slack == nil {
		c.slack = map[uint64][]Run{}
	}
	b := uint64(s.off / int64(c.blockSize))
	c.slack[b] = append(c.slack[b], Run{Offset: s.off, Size: s.n})
}
