package apfs

import (
	"bytes"
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
	want := []Run{{n + buildBS, 2 * buildBS}, {n + 4*buildBS, buildBS}}
	if len(v.Unreferenced) != 2 || v.Unreferenced[0] != want[0] || v.Unreferenced[1] != want[1] || v.UnreferencedBytes != 3*buildBS {
		t.Errorf("unreferenced %v (%d bytes)", v.Unreferenced, v.UnreferencedBytes)
	}
	// Zeroed free blocks hold nothing.
	if v := open(t, withBlocks(good, nil, nil)); len(v.Unreferenced) > 0 {
		t.Errorf("zeroed blocks reported: %v", v.Unreferenced)
	}
	// Bytes past the container's last block are the partition's.
	tail := append(bytes.Clone(good), "tail"...)
	if v := open(t, tail); len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{n, 4}) {
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
// area, listed in the checkpoint map, has its internal pool and pool
// bitmap owned; data past them is still listed. One outside the data
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
	b := withBlocks(good, sm, []byte("bitmap"), []byte("cib"), []byte("cab"), []byte("hidden"))
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
	if len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{int64(first) * buildBS, 5 * buildBS}) {
		t.Errorf("outside the data area: unreferenced %v", v.Unreferenced)
	}
	for _, at := range []int{0, 2} {
		s := b[at*buildBS : (at+1)*buildBS]
		le.PutUint32(s[nxDataBlocks:], 1)
		le.PutUint64(s[nxDataBase:], first)
		seal(s)
	}
	v = open(t, b)
	if len(v.Unreferenced) != 1 || v.Unreferenced[0] != (Run{int64(first+4) * buildBS, buildBS}) {
		t.Errorf("unreferenced %v", v.Unreferenced)
	}
}
