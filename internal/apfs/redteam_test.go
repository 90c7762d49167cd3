package apfs

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// setAreas sets the checkpoint descriptor and data areas of both
// container superblocks of b.
func setAreas(b []byte, descBase uint64, descBlocks uint32, dataBase uint64, dataBlocks uint32) {
	for _, at := range []int{0, 2} {
		s := b[at*buildBS : (at+1)*buildBS]
		le.PutUint32(s[104:], descBlocks)
		le.PutUint64(s[112:], descBase)
		le.PutUint32(s[nxDataBlocks:], dataBlocks)
		le.PutUint64(s[nxDataBase:], dataBase)
		seal(s)
	}
}

// TestAttackHugeDataArea: a checkpoint data area declared over the
// whole container does not make the blocks in it owned.
func TestAttackHugeDataArea(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	b := withBlocks(good, []byte("hidden app"))
	n := uint32(len(b) / buildBS)
	setAreas(b, 1, 2, 0, n)
	v := open(t, b)
	if v.UnreferencedBytes != buildBS {
		t.Errorf("unreferenced %v (%d bytes)", v.Unreferenced, v.UnreferencedBytes)
	}
}

// TestAttackHugeDescriptorArea: a descriptor area declared past the
// checkpoint's blocks does not make the blocks in it owned.
func TestAttackHugeDescriptorArea(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	b := withBlocks(good, []byte("hidden app"))
	n := uint32(len(b) / buildBS)
	setAreas(b, 1, n-1, 0, 0)
	v := open(t, b)
	if v.UnreferencedBytes != buildBS {
		t.Errorf("unreferenced %v (%d bytes)", v.Unreferenced, v.UnreferencedBytes)
	}
}

// TestAttackSpacemanPoolClaim: a space manager in the data area whose
// internal pool is declared over blocks holding data does not make them
// owned: only the blocks it reaches (chunk-info blocks, bitmaps) are.
func TestAttackSpacemanPoolClaim(t *testing.T) {
	b, f := spacemanImage(t, false)
	sm := b[f*buildBS : (f+1)*buildBS]
	le.PutUint64(sm[152:], 5) // the pool over f+2…f+6
	seal(sm)
	v := open(t, b)
	want := []Run{{int64(f+5) * buildBS, buildBS, false, false}, {int64(f+6) * buildBS, buildBS, true, false}}
	if !slices.Equal(v.Unreferenced, want) {
		t.Errorf("unreferenced %v, want %v", v.Unreferenced, want)
	}
}

// TestAttackSpacemanBitmapTail: a chunk bitmap with bits set past its
// chunk's blocks holds bytes the reader does not use: it is not owned.
func TestAttackSpacemanBitmapTail(t *testing.T) {
	b, f := spacemanImage(t, false)
	bm := b[(f+3)*buildBS : (f+4)*buildBS]
	copy(bm[buildBS-6:], "hidden")
	v := open(t, b)
	if v.UnreferencedBytes != 3*buildBS || v.Unreferenced[0] != (Run{int64(f+3) * buildBS, buildBS, false, false}) {
		t.Errorf("unreferenced %v", v.Unreferenced)
	}
}

// listEphemeral lists in b's checkpoint map an ephemeral object of type
// typ, oid and size bytes at block addr.
func listEphemeral(b []byte, typ uint32, oid, addr uint64, size uint32) {
	cpm := b[buildBS : 2*buildBS]
	n := le.Uint32(cpm[36:])
	le.PutUint32(cpm[36:], n+1)
	e := cpm[40+40*n:]
	le.PutUint32(e, objEphemeral|typ)
	le.PutUint32(e[8:], size)
	le.PutUint64(e[24:], oid)
	le.PutUint64(e[32:], addr)
	seal(cpm)
}

// TestAttackLargeEphemeral: an ephemeral object listed in the checkpoint
// map with a size of several blocks, its checksum computed over them
// all, owns its first block only: the checksum, which its writer
// computes, says nothing of the bytes. A one-block one is owned.
func TestAttackLargeEphemeral(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	f := uint64(len(good) / buildBS)
	obj := make([]byte, 2*buildBS)
	le.PutUint64(obj[8:], 1025)
	le.PutUint64(obj[16:], buildXid)
	le.PutUint32(obj[24:], objEphemeral|0x11) // a reaper
	copy(obj[buildBS:], "hidden app")
	seal(obj)
	b := withBlocks(good, obj[:buildBS], obj[buildBS:])
	setAreas(b, 1, 2, f, 2)
	listEphemeral(b, 0x11, 1025, f, 2*buildBS)
	v := open(t, b)
	if want := []Run{{int64(f+1) * buildBS, buildBS, false, false}}; !slices.Equal(v.Unreferenced, want) {
		t.Errorf("unreferenced %v, want %v", v.Unreferenced, want)
	}
	// The legitimate form: a one-block reaper is owned.
	obj = obj[:buildBS]
	seal(obj)
	b = withBlocks(good, obj)
	setAreas(b, 1, 2, f, 1)
	listEphemeral(b, 0x11, 1025, f, buildBS)
	if v := open(t, b); len(v.Unreferenced) != 0 {
		t.Errorf("one-block reaper: unreferenced %v", v.Unreferenced)
	}
}

// extentOf returns the index of the file extent record of the file
// named name in recs (its data stream id is its inode's).
func extentOf(t *testing.T, recs []rec, name string) int {
	id := le.Uint64(recs[drecOf(recs, name)].v)
	for i, r := range recs {
		if le.Uint64(r.k)&objIDMask == id && le.Uint64(r.k)>>typeShift == recFileExtent {
			return i
		}
	}
	t.Fatalf("no extent of %s", name)
	return -1
}

// TestAttackExtentPastEOF: a file's extent one block longer than its
// data, over a block holding a payload, does not make that block owned;
// nor does data past the file's end in its last block. The same file
// with its data alone is owned (TestOwnedBlocks).
func TestAttackExtentPastEOF(t *testing.T) {
	long := func(recs []rec) []rec {
		e := recs[extentOf(t, recs, "a")]
		le.PutUint64(e.v, 2*buildBS)
		return recs
	}
	good := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}, edit: long})
	n := int64(len(good))
	b := withBlocks(good, []byte("hidden app"))
	v := open(t, b)
	if want := []Run{{n, buildBS, false, false}}; !slices.Equal(v.Unreferenced, want) {
		t.Errorf("extent past the end: unreferenced %v, want %v", v.Unreferenced, want)
	}
	if data, err := fs.ReadFile(v, "a"); err != nil || string(data) != "visible" {
		t.Fatalf("a: %q, %v", data, err)
	}
	// Data past the end of the file in its last block.
	b = build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}})
	last := len(b) - buildBS
	copy(b[last+100:], "hidden")
	v = open(t, b)
	if want := []Run{{int64(last), buildBS, false, false}}; !slices.Equal(v.Unreferenced, want) {
		t.Errorf("data past the end: unreferenced %v, want %v", v.Unreferenced, want)
	}
}

// streamAttr returns a j_xattr_dstream_t attribute record named name of
// inode id, its data stream id sid of size bytes, and an extent record
// of that stream of length bytes at block phys.
func streamAttr(id uint64, name string, sid, size, length, phys uint64) []rec {
	k := key(id, recXattr)
	k = le.AppendUint16(k, uint16(len(name)+1))
	k = append(append(k, name...), 0)
	v := le.AppendUint16(nil, xattrDataStream)
	v = le.AppendUint16(v, 48)
	v = le.AppendUint64(v, sid)
	v = le.AppendUint64(v, size)
	v = append(v, make([]byte, 32)...)
	e := extentRec(sid, 0, length)
	le.PutUint64(e.v[8:], phys)
	return []rec{{k, v}, e}
}

// TestAttackAttributeStreamClaim: a tolerated attribute (a 10-byte
// com.apple.quarantine) whose data stream's extent is declared over the
// whole container does not make the container owned: only the block of
// its 10 bytes is, when the rest of it is zero.
func TestAttackAttributeStreamClaim(t *testing.T) {
	var id uint64
	claim := func(length, phys uint64) func([]rec) []rec {
		return func(recs []rec) []rec {
			id = le.Uint64(recs[drecOf(recs, "a")].v)
			return append(recs, streamAttr(id, "com.apple.quarantine", 9000, 10, length, phys)...)
		}
	}
	good := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}, edit: claim(1<<30, 1)})
	b := withBlocks(good, []byte("hidden app"))
	v := open(t, b)
	if want := []Run{{int64(len(good)), buildBS, false, false}}; !slices.Equal(v.Unreferenced, want) {
		t.Errorf("unreferenced %v, want %v", v.Unreferenced, want)
	}
	// The legitimate form: a stream of 10 bytes in a block of its own.
	good = build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}})
	f := uint64(len(good) / buildBS)
	good = build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}, edit: claim(buildBS, f)})
	v = open(t, withBlocks(good, []byte("0123456789")))
	if len(v.Unreferenced) != 0 || len(v.Attributes) != 1 || v.Attributes[0].Size != 10 {
		t.Errorf("unreferenced %v, attributes %v", v.Unreferenced, v.Attributes)
	}
}

// TestAttackNodeFreeSpace: a payload in the free space of a B-tree node
// (between its keys and its values; of the file-system tree, of an
// object map's), resealed, is listed: the node is owned, its unused
// bytes are not. A built tree's free space is zero (TestOwnedBlocks).
func TestAttackNodeFreeSpace(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	root, _ := fsNodes(good)
	for _, blk := range []int{root, 4} { // the file-system tree's root, the container object map's leaf
		b := bytes.Clone(good)
		node := b[blk*buildBS : (blk+1)*buildBS]
		keyEnd := nodeHeader + int(le.Uint16(node[40:])+le.Uint16(node[42:])) + int(le.Uint16(node[44:]))
		copy(node[keyEnd+16:], "hidden")
		seal(node)
		v := open(t, b)
		if len(v.Unreferenced) != 1 || !v.Unreferenced[0].Slack || v.Unreferenced[0].Offset > int64(blk*buildBS+keyEnd+16) || v.Unreferenced[0].Offset+v.Unreferenced[0].Size < int64(blk*buildBS+keyEnd+22) {
			t.Errorf("block %d: unreferenced %v", blk, v.Unreferenced)
		}
	}
}

// TestAttackObjectTail: a payload past the end of an object's structure
// (block 0's container superblock, the checkpoint's, its checkpoint map,
// the container object map, the volume superblock), resealed, is
// listed: the block is owned, its unused tail is not.
func TestAttackObjectTail(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	for _, c := range []struct{ blk, at int }{{0, 2000}, {1, 100}, {2, nxSize}, {3, omapSize + 8}, {5, 4000}} {
		b := bytes.Clone(good)
		blk := b[c.blk*buildBS : (c.blk+1)*buildBS]
		copy(blk[c.at:], "hidden")
		seal(blk)
		v := open(t, b)
		want := Run{int64(c.blk*buildBS + c.at), 6, false, false}
		if len(v.Unreferenced) != 1 || v.Unreferenced[0].Offset > want.Offset || v.Unreferenced[0].Offset+v.Unreferenced[0].Size < want.Offset+want.Size || v.UnreferencedBytes >= buildBS {
			t.Errorf("block %d: unreferenced %v", c.blk, v.Unreferenced)
		}
	}
}

// TestAttackChunkInfoTail: a payload past a chunk-info block's entries,
// resealed, is listed.
func TestAttackChunkInfoTail(t *testing.T) {
	b, f := spacemanImage(t, true)
	for _, blk := range []uint64{f + 2, f + 4} { // the chunk-info block, the address block
		b := bytes.Clone(b)
		o := b[blk*buildBS : (blk+1)*buildBS]
		copy(o[1000:], "hidden")
		seal(o)
		v := open(t, b)
		// The tail (past one chunk-info entry, or one address) runs on
		// into the allocated block after the address block.
		if u := v.Unreferenced; len(u) < 2 || u[0].Offset != int64(blk)*buildBS+40+32 && u[0].Offset != int64(blk)*buildBS+48 {
			t.Errorf("block %d: unreferenced %v", blk, v.Unreferenced)
		}
	}
}

// TestAttackRsrcBesideInline: a resource fork on a compressed file
// whose data is inline in its com.apple.decmpfs attribute is not that
// file's data (which the reader decodes from the attribute): it is
// listed, not passed over as the compressed data.
func TestAttackRsrcBesideInline(t *testing.T) {
	files := map[string]BuildFile{"c": {Data: []byte("compressed inline"), Compressed: true}}
	f := uint64(len(build(t, BuildSpec{Files: files})) / buildBS)
	b := build(t, BuildSpec{Files: files, edit: func(recs []rec) []rec {
		id := le.Uint64(recs[drecOf(recs, "c")].v)
		return append(recs, streamAttr(id, xattrRsrc, 9000, 10, buildBS, f)...)
	}})
	v := open(t, withBlocks(b, []byte("hidden app")))
	if data, err := fs.ReadFile(v, "c"); err != nil || string(data) != "compressed inline" {
		t.Fatalf("c: %q, %v", data, err)
	}
	if len(v.Attributes) != 1 || v.Attributes[0].Name != xattrRsrc || v.Attributes[0].Size != 10 {
		t.Errorf("attributes %v, unreferenced %v", v.Attributes, v.Unreferenced)
	}
}

// physTree returns a sealed one-node physical B-tree of subtype at
// block addr holding recs.
func physTree(addr uint64, subtype uint32, recs []rec) []byte {
	b := make([]byte, buildBS)
	(&tnode{root: true, oid: addr, recs: recs}).write(b, len(recs), 1)
	le.PutUint32(b[24:], objPhysical|typeBtree)
	le.PutUint32(b[28:], subtype)
	seal(b)
	return b
}

// withVolumeTree returns the built single-volume container good with
// tree appended and named in its volume superblock's field at (144: the
// extent reference tree, 152: the snapshot metadata tree).
func withVolumeTree(good, tree []byte, at int) []byte {
	b := withBlocks(good, tree)
	s := b[5*buildBS : 6*buildBS]
	le.PutUint64(s[at:], uint64(len(good)/buildBS))
	seal(s)
	return b
}

// TestAttackTreeRecordSize: an extent reference or snapshot metadata
// tree (which the reader does not use) holding a record larger than its
// type's, a payload nothing reads, is not owned. Records of their
// types' sizes are (the legitimate form).
func TestAttackTreeRecordSize(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	f := uint64(len(good) / buildBS)
	ext := rec{le.AppendUint64(nil, recExtent<<typeShift|100), make([]byte, physExtValSize)}
	meta := rec{le.AppendUint64(nil, recSnapMetadata<<typeShift|5), append(make([]byte, snapMetaValSize), "snap\x00"...)}
	le.PutUint16(meta.v[48:], 5)
	name := rec{append(le.AppendUint16(le.AppendUint64(nil, recSnapName<<typeShift|objIDMask), 5), "snap\x00"...), make([]byte, 8)}
	payload := bytes.Repeat([]byte("hidden app "), 100)
	for _, c := range []struct {
		at   int
		sub  uint32
		recs []rec
		ok   bool
	}{
		{144, typeExtentRef, []rec{ext}, true},
		{152, typeSnapMeta, []rec{meta, name}, true},
		{144, typeExtentRef, []rec{{ext.k, payload}}, false},
		{152, typeSnapMeta, []rec{meta, {name.k, payload}}, false},
		{152, typeSnapMeta, []rec{{meta.k, append(bytes.Clone(meta.v), payload...)}}, false},
	} {
		v := open(t, withVolumeTree(good, physTree(f, c.sub, c.recs), c.at))
		if got := v.UnreferencedBytes == 0; got != c.ok {
			t.Errorf("subtype %#x, records %d: unreferenced %v", c.sub, len(c.recs), v.Unreferenced)
		}
	}
}

// TestAttackLooseRecords: records in an owned file-system tree node that
// nothing reads are listed: the inline attribute of an inode no folder
// reaches, and a record of a type the reader does not use larger than
// its type's. Such records of their types' sizes, and the attributes of
// a walked file, are not (the legitimate forms).
func TestAttackLooseRecords(t *testing.T) {
	payload := bytes.Repeat([]byte("hidden app "), 100)
	files := map[string]BuildFile{"a": {Data: []byte("visible")}, "b": {Xattrs: map[string][]byte{"com.apple.FinderInfo": payload}}}
	for _, c := range []struct {
		name string
		edit func([]rec) []rec
		ok   bool
	}{
		{"walked", func(recs []rec) []rec { return recs }, true},
		{"orphan attribute", func(recs []rec) []rec {
			return append(recs[:drecOf(recs, "b")], recs[drecOf(recs, "b")+1:]...)
		}, false},
		{"dstream id", func(recs []rec) []rec {
			return append(recs, rec{key(100, recDstreamID), make([]byte, 4)}, rec{key(101, recDirStats), make([]byte, 32)})
		}, true},
		{"large dstream id", func(recs []rec) []rec { return append(recs, rec{key(100, recDstreamID), payload}) }, false},
		{"unknown type", func(recs []rec) []rec { return append(recs, rec{key(100, 14), payload}) }, false},
	} {
		v := open(t, build(t, BuildSpec{Files: files, edit: c.edit}))
		if got := v.UnreferencedBytes == 0; got != c.ok {
			t.Errorf("%s: unreferenced %v", c.name, v.Unreferenced)
		}
		if !c.ok && v.UnreferencedBytes < int64(len(payload)) {
			t.Errorf("%s: %d bytes listed, fewer than the payload's", c.name, v.UnreferencedBytes)
		}
	}
}

// TestAttackEphemeralTail: an ephemeral object in the data area listed
// in the checkpoint map owns only what its type holds: a reaper's bytes
// past its structure are listed, an object of a type the reader does
// not know is not owned. A reaper alone is (TestAttackLargeEphemeral).
func TestAttackEphemeralTail(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	f := uint64(len(good) / buildBS)
	for _, c := range []struct {
		typ  uint32
		at   int
		want int64
	}{{typeReaper, 2000, 4096 - 112}, {0x1b, 2000, buildBS}} {
		obj := make([]byte, buildBS)
		le.PutUint64(obj[8:], 1025)
		le.PutUint64(obj[16:], buildXid)
		le.PutUint32(obj[24:], objEphemeral|c.typ)
		copy(obj[c.at:], "hidden")
		obj[buildBS-1] = 1
		seal(obj)
		b := withBlocks(good, obj)
		setAreas(b, 1, 2, f, 1)
		listEphemeral(b, c.typ, 1025, f, buildBS)
		if v := open(t, b); v.UnreferencedBytes != c.want {
			t.Errorf("type %#x: unreferenced %v", c.typ, v.Unreferenced)
		}
	}
}

// TestAttackPoolBitmapClaim: the pool bitmap blocks a space manager
// declares are owned only with no bit set past its pool's blocks, and
// for a pool no larger than the container's chunks need: a payload in a
// pool bitmap, or one declared over a pool of any size, is listed.
func TestAttackPoolBitmapClaim(t *testing.T) {
	b, f := spacemanImage(t, false)
	hidden := bytes.Clone(b)
	copy(hidden[(f+1)*buildBS+100:], "hidden")
	if v := open(t, hidden); v.UnreferencedBytes != 3*buildBS || v.Unreferenced[0].Offset != int64(f+1)*buildBS {
		t.Errorf("payload in the pool bitmap: unreferenced %v", v.Unreferenced)
	}
	huge := bytes.Clone(hidden)
	sm := huge[f*buildBS : (f+1)*buildBS]
	le.PutUint64(sm[152:], 1<<20) // a pool of 2^20 blocks, whose bitmap is any bytes
	seal(sm)
	if v := open(t, huge); v.UnreferencedBytes != 3*buildBS {
		t.Errorf("huge pool: unreferenced %v", v.Unreferenced)
	}
}

// TestAttackSpacemanSize: a space manager listed as several blocks
// whose chunk-info address array is declared far into them owns those
// blocks only when the addresses read (the legitimate form); otherwise
// only its first block.
func TestAttackSpacemanSize(t *testing.T) {
	good, f := spacemanImage(t, false)
	// Move the space manager to two blocks appended: its address array
	// at the start of the second, then a payload past it.
	sm := make([]byte, 2*buildBS)
	copy(sm, good[f*buildBS:(f+1)*buildBS])
	at := uint64(buildBS + 8)
	le.PutUint32(sm[smAddrOffset:], uint32(at))
	le.PutUint64(sm[at:], f+2)
	f2 := uint64(len(good) / buildBS)
	for _, c := range []struct {
		name     string
		cib      uint64
		payload  bool
		unlisted int64
	}{
		{"legitimate", f + 2, false, 0},
		{"payload past the array", f + 2, true, buildBS - 16}, // the block past the array's 16 bytes
		{"array that does not read", 1, false, 3 * buildBS},   // the second block, the chunk-info block and bitmap not reached
	} {
		sm := bytes.Clone(sm)
		le.PutUint64(sm[at:], c.cib)
		if c.payload {
			copy(sm[2*buildBS-100:], bytes.Repeat([]byte{'x'}, 100))
		}
		seal(sm)
		b := withBlocks(good, sm[:buildBS], sm[buildBS:])
		clear(b[f*buildBS : (f+1)*buildBS]) // the old space manager
		setAreas(b, 1, 2, f2, 2)
		cpm := b[buildBS : 2*buildBS]
		le.PutUint32(cpm[36:], 0)
		seal(cpm)
		listEphemeral(b, typeSpaceman, 1024, f2, 2*buildBS)
		v := open(t, b)
		// f+5 (allocated, no structure) is listed; f+6 too, free when the
		// bitmaps read.
		if got := v.UnreferencedBytes - 2*buildBS; got != c.unlisted {
			t.Errorf("%s: unreferenced %v", c.name, v.Unreferenced)
		}
	}
}

// addXfield returns the record value v with an extended field of type
// typ holding data added to its blob, which starts at base.
func addXfield(v []byte, base int, typ byte, data []byte) []byte {
	var n, used int
	var hdr, body []byte
	if len(v) > base {
		n, used = int(le.Uint16(v[base:])), int(le.Uint16(v[base+2:]))
		hdr, body = v[base+4:base+4+4*n], v[base+4+4*n:base+4+4*n+used]
	}
	hdr = append(bytes.Clone(hdr), typ, 0, 0, 0)
	le.PutUint16(hdr[len(hdr)-2:], uint16(len(data)))
	body = append(append(bytes.Clone(body), data...), make([]byte, (8-len(data)%8)%8)...)
	out := append(bytes.Clone(v[:base]), 0, 0, 0, 0)
	le.PutUint16(out[base:], uint16(n+1))
	le.PutUint16(out[base+2:], uint16(len(body)))
	return append(append(out, hdr...), body...)
}

// TestAttackExtendedFields: an inode's or directory record's extended
// field of a type the reader does not know, holding a payload, is
// listed; a known one of its size (a directory record's sibling id) is
// not.
func TestAttackExtendedFields(t *testing.T) {
	payload := bytes.Repeat([]byte("hidden app "), 100)
	inodeOf := func(recs []rec, name string) int {
		id := le.Uint64(recs[drecOf(recs, name)].v)
		for i, r := range recs {
			if le.Uint64(r.k) == id|recInode<<typeShift {
				return i
			}
		}
		return -1
	}
	for _, c := range []struct {
		name string
		edit func([]rec) []rec
		ok   bool
	}{
		{"sibling id", func(recs []rec) []rec {
			r := &recs[drecOf(recs, "a")]
			r.v = addXfield(r.v, drecValSize, 1, make([]byte, 8))
			return recs
		}, true},
		{"directory record", func(recs []rec) []rec {
			r := &recs[drecOf(recs, "a")]
			r.v = addXfield(r.v, drecValSize, 9, payload)
			return recs
		}, false},
		{"inode", func(recs []rec) []rec {
			r := &recs[inodeOf(recs, "a")]
			r.v = addXfield(r.v, inodeValSize, 9, payload)
			return recs
		}, false},
		{"document id of another size", func(recs []rec) []rec {
			r := &recs[inodeOf(recs, "a")]
			r.v = addXfield(r.v, inodeValSize, 3, payload) // 4 bytes
			return recs
		}, false},
	} {
		v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}, edit: c.edit}))
		if got := v.UnreferencedBytes == 0; got != c.ok || !c.ok && v.UnreferencedBytes < int64(len(payload)) {
			t.Errorf("%s: unreferenced %v", c.name, v.Unreferenced)
		}
		if _, err := fs.ReadFile(v, "a"); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestAttackDecmpfsTrailer: bytes after the zlib stream of a compressed
// file's inline com.apple.decmpfs attribute, which no reader decodes,
// leave the file not decoded (skipped, and reported) rather than a
// payload riding in an attribute whose file verifies.
func TestAttackDecmpfsTrailer(t *testing.T) {
	files := map[string]BuildFile{"c": {Data: bytes.Repeat([]byte("compressed inline "), 20), Compressed: true}}
	trailer := func(recs []rec) []rec {
		for i, r := range recs {
			if le.Uint64(r.k)>>typeShift == recXattr && bytes.Contains(r.k, []byte(xattrDecmpfs)) {
				recs[i].v = append(bytes.Clone(r.v), "hidden app"...)
				le.PutUint16(recs[i].v[2:], uint16(len(recs[i].v)-4))
			}
		}
		return recs
	}
	if v := open(t, build(t, BuildSpec{Files: files})); len(v.Skipped) != 0 {
		t.Fatalf("skipped %v", v.Skipped)
	}
	v := open(t, build(t, BuildSpec{Files: files, edit: trailer}))
	if len(v.Skipped) != 1 || !strings.Contains(v.Skipped[0].Reason, "follow the stream") {
		t.Errorf("skipped %v", v.Skipped)
	}
}

// TestAttackStreamAttributeValue: an attribute whose data is in a
// stream, listed with the stream's size, holding more inline bytes than
// its j_xattr_dstream_t, has them listed. The 48-byte form is not
// (TestAttackAttributeStreamClaim).
func TestAttackStreamAttributeValue(t *testing.T) {
	payload := bytes.Repeat([]byte("hidden app "), 100)
	b := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}}, edit: func(recs []rec) []rec {
		id := le.Uint64(recs[drecOf(recs, "a")].v)
		a := streamAttr(id, "com.apple.quarantine", 9000, 0, buildBS, 0)[0]
		a.v = append(a.v, payload...)
		le.PutUint16(a.v[2:], uint16(len(a.v)-4))
		return append(recs, a)
	}})
	v := open(t, b)
	if v.UnreferencedBytes < int64(len(payload)) {
		t.Errorf("unreferenced %v", v.Unreferenced)
	}
}

// TestAttackUnusedKnownXattr: a com.apple.fs.symlink attribute on a
// regular file, or a com.apple.decmpfs one on a file not flagged
// compressed, which the reader does not use, is listed like any other
// attribute; on a link and a compressed file it is used, not listed.
func TestAttackUnusedKnownXattr(t *testing.T) {
	payload := bytes.Repeat([]byte("hidden app "), 100)
	for _, name := range []string{xattrSymlink, xattrDecmpfs} {
		v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible"), Xattrs: map[string][]byte{name: payload}}}}))
		if len(v.Attributes) != 1 || v.Attributes[0].Name != name || v.Attributes[0].Size != uint64(len(payload)) {
			t.Errorf("%s: attributes %v", name, v.Attributes)
		}
	}
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{"l": {Link: "x"}, "c": {Data: []byte("cc"), Compressed: true}}}))
	if len(v.Attributes) != 0 {
		t.Errorf("link and compressed file: attributes %v", v.Attributes)
	}
}

// TestAttackOlderCheckpoint: of two checkpoints in the descriptor area,
// the latest is read and owned; the earlier one's superblock and map,
// which macOS does not mount, are not trusted nor owned: listed, with
// what only they reach.
func TestAttackOlderCheckpoint(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	f := uint64(len(good) / buildBS)
	cpm, sb := good[buildBS:2*buildBS], good[2*buildBS:3*buildBS]
	ring := make([][]byte, 4)
	for i, xid := range []uint64{1, buildXid} {
		m, s := bytes.Clone(cpm), bytes.Clone(sb)
		le.PutUint64(m[16:], xid)
		le.PutUint64(s[16:], xid)
		le.PutUint64(s[40:], f+4)
		le.PutUint32(s[104:], 4)
		le.PutUint64(s[112:], f)
		le.PutUint32(s[136:], uint32(2*i)) // its map's index in the ring
		seal(m)
		seal(s)
		ring[2*i], ring[2*i+1] = m, s
	}
	b := withBlocks(good, ring...)
	clear(b[buildBS : 3*buildBS]) // the built descriptor area
	s := b[:buildBS]
	le.PutUint32(s[104:], 4)
	le.PutUint64(s[112:], f)
	seal(s)
	v := open(t, b)
	if want := []Run{{int64(f) * buildBS, 2 * buildBS, false, false}}; !slices.Equal(v.Unreferenced, want) {
		t.Errorf("unreferenced %v, want %v", v.Unreferenced, want)
	}
}

// TestAttackSpacemanTail: a payload in a space manager's block past its
// structure and arrays, resealed, is listed; one in its structure (here
// its allocation zones) is not: that is the space manager's to say.
func TestAttackSpacemanTail(t *testing.T) {
	good, f := spacemanImage(t, false)
	for _, c := range []struct {
		at     int
		listed bool
	}{{3000, true}, {2000, false}} {
		b := bytes.Clone(good)
		sm := b[f*buildBS : (f+1)*buildBS]
		copy(sm[c.at:], "hidden")
		seal(sm)
		v := open(t, b)
		if got := v.Unreferenced[0].Offset == int64(f)*buildBS+smSize; got != c.listed {
			t.Errorf("payload at %d: unreferenced %v (space manager at %#x)", c.at, v.Unreferenced, f*buildBS)
		}
	}
}
