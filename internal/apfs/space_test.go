package apfs

import (
	"bytes"
	"slices"
	"testing"
)

// TestOwnedBlocks: every block of a built container (one volume or
// several, one leaf or many nodes) is owned by a structure: nothing is
// unreferenced.
func TestOwnedBlocks(t *testing.T) {
	for _, s := range []BuildSpec{
		{Files: sample()},
		{Files: sample(), LeafRecords: 2},
		{Files: sample(), More: []BuildSpec{{Files: sample(), Name: "B"}}},
		{Files: map[string]BuildFile{"x": {Data: []byte("x"), Xattrs: map[string][]byte{"k": []byte("v")}}}},
	} {
		if v := open(t, build(t, s)); len(v.Unreferenced) > 0 || v.UnreferencedBytes != 0 {
			t.Errorf("unreferenced %v (%d bytes)", v.Unreferenced, v.UnreferencedBytes)
		}
	}
}

// withBlocks returns b with blocks appended to the container (its block
// count raised in both superblocks): blocks no structure owns.
func withBlocks(b []byte, blocks ...[]byte) []byte {
	b = bytes.Clone(b)
	for _, blk := range blocks {
		b = append(b, append(bytes.Clone(blk), make([]byte, buildBS-len(blk))...)...)
	}
	for _, at := range []int{0, 2} {
		s := b[at*buildBS : (at+1)*buildBS]
		le.PutUint64(s[40:], uint64(len(b)/buildBS))
		seal(s)
	}
	return b
}

// TestAttackHiddenBlocks: data in blocks no structure owns (here, an app
// appended to the container) is listed with its size; zeroed free blocks
// are not. Before, such blocks were not inventoried.
func TestAttackHiddenBlocks(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	n := int64(len(good))
	b := withBlocks(good, nil, []byte("hidden app"), []byte("more"), nil, []byte("x"))
	v := open(t, b)
	want := []Run{{n + buildBS, 2 * buildBS, false, false}, {n + 4*buildBS, buildBS, false, false}}
	if len(v.Unreferenced) != 2 || v.Unreferenced[0] != want[0] || v.Unreferenced[1] != want[1] || v.UnreferencedBytes != 3*buildBS {
		t.Errorf("unreferenced %v (%d bytes)", v.Unreferenced, v.UnreferencedBytes)
	}
	// Zeroed free blocks hold nothing.
	if v := open(t, withBlocks(good, nil, nil)); len(v.Unreferenced) > 0 {
		t.Errorf("zeroed blocks reported: %v", v.Unreferenced)
	}
	// Bytes past the container's last block are the partition's.
	tail := append(bytes.Clone(good), "tail"...)
	if v := open(t, tail); len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{n, 4, false, false}) {
		t.Errorf("tail %v", v.Unreferenced)
	}
}

// TestAttackOrphanExtent: a file extent record of no walked file (its
// inode has no directory record) owns nothing: its data is listed.
func TestAttackOrphanExtent(t *testing.T) {
	b := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("visible")}, "b": {Data: []byte("hidden")}}, edit: func(recs []rec) []rec {
		return append(recs[:drecOf(recs, "b")], recs[drecOf(recs, "b")+1:]...)
	}})
	v := open(t, b)
	if v.UnreferencedBytes != buildBS || len(v.Unreferenced) != 1 {
		t.Fatalf("unreferenced %v", v.Unreferenced)
	}
	if got := b[v.Unreferenced[0].Offset:][:6]; string(got) != "hidden" {
		t.Errorf("run holds %q", got)
	}
}

// TestSpacemanOwned: an ephemeral space manager in the checkpoint data
// area, listed in the checkpoint map, has its pool bitmap owned; blocks
// of its internal pool that are not what it reaches (chunk-info blocks
// and bitmaps) are listed, as is data past the pool. One outside the data
// area is not trusted: it could claim any blocks as its pool.
func TestSpacemanOwned(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	first := uint64(len(good) / buildBS)
	sm := make([]byte, buildBS)
	le.PutUint64(sm[8:], 1024)
	le.PutUint64(sm[16:], buildXid)
	le.PutUint32(sm[24:], objEphemeral|typeSpaceman)
	le.PutUint64(sm[152:], 2)       // sm_ip_block_count
	le.PutUint32(sm[164:], 1)       // sm_ip_bm_block_count
	le.PutUint64(sm[168:], first+1) // sm_ip_bm_base
	le.PutUint64(sm[176:], first+2) // sm_ip_base
	seal(sm)
	b := withBlocks(good, sm, []byte{0x03}, []byte("cib"), []byte("cab"), []byte("hidden")) // the pool's 2 blocks in use
	cpm := b[buildBS : 2*buildBS]
	le.PutUint32(cpm[36:], 1)
	e := cpm[40:]
	le.PutUint32(e, objEphemeral|typeSpaceman)
	le.PutUint32(e[8:], buildBS)
	le.PutUint64(e[24:], 1024)
	le.PutUint64(e[32:], first)
	seal(cpm)
	// Outside the checkpoint data area, the space manager is not owned
	// nor trusted with its pool.
	v := open(t, b)
	if len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{int64(first) * buildBS, 5 * buildBS, false, false}) {
		t.Errorf("outside the data area: unreferenced %v", v.Unreferenced)
	}
	for _, at := range []int{0, 2} {
		s := b[at*buildBS : (at+1)*buildBS]
		le.PutUint32(s[nxDataBlocks:], 1)
		le.PutUint64(s[nxDataBase:], first)
		seal(s)
	}
	v = open(t, b)
	if len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{int64(first+2) * buildBS, 3 * buildBS, false, false}) {
		t.Errorf("unreferenced %v", v.Unreferenced)
	}
}

// physObj returns a sealed physical object block of type typ at addr,
// filled by fill.
func physObj(addr uint64, typ uint32, fill func(b []byte)) []byte {
	b := make([]byte, buildBS)
	le.PutUint64(b[8:], addr)
	le.PutUint64(b[16:], buildXid)
	le.PutUint32(b[24:], objPhysical|typ)
	fill(b)
	seal(b)
	return b
}

// spacemanImage returns a built container with a space manager in its
// checkpoint data area whose chunk-info block (reached directly, or
// through a chunk-info address block when viaCAB) and bitmap mark every
// block allocated but the last, and two blocks of data no structure
// owns: "allocated" at block f+5, "stale" (free) at f+6.
func spacemanImage(t testing.TB, viaCAB bool) (b []byte, f uint64) {
	good := build(t, BuildSpec{Files: sample()})
	f = uint64(len(good) / buildBS)
	// f: space manager, f+1: pool bitmap, f+2: chunk-info block, f+3:
	// chunk bitmap, f+4: chunk-info address block, then the data.
	total := f + 7
	sm := make([]byte, buildBS)
	le.PutUint64(sm[8:], 1024)
	le.PutUint64(sm[16:], buildXid)
	le.PutUint32(sm[24:], objEphemeral|typeSpaceman)
	le.PutUint32(sm[smCIBCount:], 1)
	le.PutUint32(sm[smAddrOffset:], 1024)
	le.PutUint64(sm[1024:], f+2)
	if viaCAB {
		le.PutUint32(sm[smCABCount:], 1)
		le.PutUint64(sm[1024:], f+4)
	}
	le.PutUint64(sm[152:], 3)   // sm_ip_block_count
	le.PutUint32(sm[164:], 1)   // sm_ip_bm_block_count
	le.PutUint64(sm[168:], f+1) // sm_ip_bm_base
	le.PutUint64(sm[176:], f+2) // sm_ip_base
	seal(sm)
	cib := physObj(f+2, typeSpacemanCIB, func(b []byte) {
		le.PutUint32(b[36:], 1)
		le.PutUint64(b[40+8:], 0)
		le.PutUint32(b[40+16:], uint32(total))
		le.PutUint64(b[40+24:], f+3)
	})
	bitmap := make([]byte, buildBS)
	for b := range f + 6 { // all allocated but the last block
		bitmap[b/8] |= 1 << (b % 8)
	}
	var cab []byte
	if viaCAB {
		cab = physObj(f+4, typeSpacemanCAB, func(b []byte) {
			le.PutUint32(b[36:], 1)
			le.PutUint64(b[40:], f+2)
		})
	}
	b = withBlocks(good, sm, []byte{0x07}, cib, bitmap, cab, []byte("allocated"), []byte("stale")) // the pool's 3 blocks in use
	for _, at := range []int{0, 2} {
		s := b[at*buildBS : (at+1)*buildBS]
		le.PutUint32(s[nxDataBlocks:], 1)
		le.PutUint64(s[nxDataBase:], f)
		seal(s)
	}
	cpm := b[buildBS : 2*buildBS]
	le.PutUint32(cpm[36:], 1)
	e := cpm[40:]
	le.PutUint32(e, objEphemeral|typeSpaceman)
	le.PutUint32(e[8:], buildBS)
	le.PutUint64(e[24:], 1024)
	le.PutUint64(e[32:], f)
	seal(cpm)
	return b, f
}

// TestSpacemanFreeBlocks: with a space manager whose bitmaps read
// (directly from chunk-info blocks, or through a chunk-info address
// block), unreferenced data in blocks they mark free is told apart
// (Run.Free: stale data) from data in blocks they mark allocated that no
// structure owns.
func TestSpacemanFreeBlocks(t *testing.T) {
	for _, viaCAB := range []bool{false, true} {
		b, f := spacemanImage(t, viaCAB)
		v := open(t, b)
		want := []Run{{int64(f+5) * buildBS, buildBS, false, false}, {int64(f+6) * buildBS, buildBS, true, false}}
		if !slices.Equal(v.Unreferenced, want) {
			t.Errorf("via a chunk-info address block %v: unreferenced %v, want %v", viaCAB, v.Unreferenced, want)
		}
	}
}
