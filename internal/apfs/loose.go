package apfs

// File-system record types the reader does not use, whose sizes are
// checked (fsRecordFits).
const (
	recDstreamID  = 6
	recCrypto     = 7
	recDirStats   = 10
	recSiblingMap = 12
)

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
// tree. Bytes nothing reads would otherwise hide in such records.
func fsRecordFits(typ uint64, k, v []byte) bool {
	switch typ {
	case recInode, recXattr, recFileExtent, recDirRec:
		return true
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
