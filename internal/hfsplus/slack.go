package hfsplus

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// slack gathers the bytes of one special file that hold no record yet
// are not zero, for one ExtraMetadataSlack.
type slack struct {
	parts []string
	size  int64
	at    int64 // the first byte other than zero, -1 before one
}

func (s *slack) add(n int64, what string, args ...any) {
	s.size += n
	s.parts = append(s.parts, fmt.Sprintf(what, args...))
}

func (s *slack) first(at int64) {
	if s.at < 0 || (at >= 0 && at < s.at) {
		s.at = at
	}
}

func (v *Volume) reportSlack(file string, s *slack) {
	if len(s.parts) > 0 {
		v.extra(Extra{Kind: ExtraMetadataSlack, Size: s.size, Offset: s.at, Detail: file + ": " + strings.Join(s.parts, ", ") + " hold bytes other than zero"})
	}
}

// forkScan calls hit with the volume offset (and the fork offset) of a
// byte other than zero in each allocation block holding one of the bytes
// [from, to) of the fork of extents exts.
func (v *Volume) forkScan(zs *zeroScan, exts []extent, from, to int64, hit func(at, off int64)) error {
	bs := int64(v.BlockSize)
	pos := int64(0)
	for _, e := range exts {
		elen := int64(e.count) * bs
		if a, b := max(from, pos), min(to, pos+elen); a < b {
			base := int64(e.start)*bs - pos
			if err := zs.scan(base+a, base+b, bs, func(at int64) { hit(at, at-base) }); err != nil {
				return err
			}
		}
		pos += elen
	}
	return nil
}

// extentBytes returns the bytes of the blocks of exts.
func (v *Volume) extentBytes(exts []extent) int64 {
	n := int64(0)
	for _, e := range exts {
		n += int64(e.count) * int64(v.BlockSize)
	}
	return n
}

// bitmapSlack reports the bits of the allocation file (of size bytes in
// exts) past the volume's last block, and its bytes past them to the end
// of its blocks, that are not zero (TN1150: unused bits are zero).
func (v *Volume) bitmapSlack(exts []extent, size int64, zs *zeroScan) {
	nb := int64(v.Blocks)
	s := slack{at: -1}
	fr := &forkReader{v: v, exts: exts, size: size}
	if r := nb % 8; r != 0 {
		var b [1]byte
		if _, err := fr.ReadAt(b[:], nb/8); err == nil && b[0]&(0xff>>r) != 0 {
			s.add(1, "the bits of its byte %d past block %d", nb/8, nb-1)
			s.first(fr.volumeOffset(nb / 8))
		}
	}
	hits := int64(0)
	at := int64(-1)
	err := v.forkScan(zs, exts, (nb+7)/8, v.extentBytes(exts), func(a, _ int64) {
		if hits++; at < 0 {
			at = a
		}
	})
	if err != nil {
		v.problem("", 1024+112, "the allocation file past the volume's last block was not checked for data: %v", err)
	}
	if hits > 0 {
		s.add(hits*int64(v.BlockSize), "%d allocation blocks past the bits of the volume's blocks", hits)
		s.first(at)
	}
	v.reportSlack("the allocation file", &s)
}

// volumeOffset returns the offset in the volume of byte off of the fork.
func (f *forkReader) volumeOffset(off int64) int64 {
	return (&tree{f: f}).volumeOffset(off)
}

// staleSlots is how many record offset slots right below a node's
// offsets are let hold bytes: macOS does not clear the slot a deleted
// record's offset leaves (a catalog leaf of an hdiutil-made image keeps
// one), so at most 16 bytes a node are tolerated.
const staleSlots = 8

// maxMapNodes bounds the map nodes of a B-tree read.
const maxMapNodes = 1 << 16

// treeSlack reports the bytes of B-tree t that hold no record and are
// not zero: the free space of each node the tree uses (between its
// records and its offsets, but the staleSlots slots below its offsets),
// every node neither its index, its leaf chain nor its map reaches
// (whether its map marks it free or not), the map's bits past its last
// node, and its file past its last node to the end of its blocks. A
// fixture builder, newfs_hfs and hdiutil leave all of them zero. Only a
// tree whose index and leaf chain read consistently is checked.
func (v *Volume) treeSlack(t *tree, zs *zeroScan) {
	if t.reached == nil {
		return
	}
	ts := &treeScan{v: v, t: t, zs: zs, ns: int64(t.nodeSize), buf: make([]byte, t.nodeSize), s: slack{at: -1}}
	defer v.reportSlack("the "+t.name, &ts.s)
	used, ok := ts.mapSlack()
	if !ok {
		return
	}
	for n := range t.reached {
		used = append(used, n)
	}
	slices.Sort(used)
	ts.freeSpaceSlack(used)
	ts.unreachedSlack(used)
}

// treeScan is the state of one treeSlack: the node read last, and the
// slack and the node map read so far.
type treeScan struct {
	v   *Volume
	t   *tree
	zs  *zeroScan
	ns  int64  // the tree's node size
	buf []byte // the node records read last
	s   slack

	// The node map: the header node's map record, continued in map nodes
	// (kind 2) linked from the header node. Its bits past the last node
	// are zero.
	mapRead int64 // map bytes read
	mapTail bool  // a map bit past the last node is set
}

// nodeAt returns the volume offset of node n.
func (ts *treeScan) nodeAt(n uint32) int64 { return ts.t.volumeOffset(int64(n) * ts.ns) }

// records reads node n and returns the start of its free space and
// of its offsets, ok false when they are inconsistent.
func (ts *treeScan) records(n uint32) (nrec, free, table int, ok bool) {
	if _, err := ts.t.f.ReadAt(ts.buf, int64(n)*ts.ns); err != nil {
		return 0, 0, 0, false
	}
	be := binary.BigEndian
	nrec = int(be.Uint16(ts.buf[10:]))
	table = int(ts.ns) - 2*(nrec+1)
	if table < 14 {
		return 0, 0, 0, false
	}
	free = int(be.Uint16(ts.buf[table:]))
	return nrec, free, table, free >= 14 && free <= table
}

// mapRecord checks the map record [a, z) of node n, read last: its bits
// past the tree's last node are zero.
func (ts *treeScan) mapRecord(n uint32, a, z int) {
	rec := ts.buf[a:z]
	need := (int64(ts.t.nodes) + 7) / 8
	if k := need - ts.mapRead; k < int64(len(rec)) {
		from := max(k, 0)
		if r := ts.t.nodes % 8; r != 0 && from > 0 && rec[from-1]&(0xff>>r) != 0 {
			ts.mapTail = true
			ts.s.first(ts.nodeAt(n) + int64(a) + from - 1)
		}
		if j := firstNonZero(rec[from:]); j >= 0 {
			ts.mapTail = true
			ts.s.first(ts.nodeAt(n) + int64(a) + from + int64(j))
		}
	}
	ts.mapRead += int64(len(rec))
}

// mapSlack checks the header node and the map nodes linked from it, and
// returns the nodes it read; ok is false when they are inconsistent, and
// the tree's slack was not checked.
func (ts *treeScan) mapSlack() (used []uint32, ok bool) {
	if !ts.headerSlack() {
		return nil, false
	}
	used, ok = ts.mapNodes()
	if !ok {
		return nil, false
	}
	if ts.mapTail {
		ts.s.add(0, "its node map past its last node")
	}
	return used, true
}

// headerSlack checks the header node's map record, its header record's
// reserved words and its user data record, and leaves the header node
// in ts.buf.
func (ts *treeScan) headerSlack() bool {
	v, t, buf, ns := ts.v, ts.t, ts.buf, ts.ns
	be := binary.BigEndian
	nrec, _, table, ok := ts.records(0)
	if !ok || nrec < 3 {
		v.problem("", ts.nodeAt(0), "%s: the header node's records are inconsistent: its slack was not checked for data", t.name)
		return false
	}
	a, z := int(be.Uint16(buf[ns-6:])), int(be.Uint16(buf[ns-8:]))
	if a < 14 || a > z || z > table {
		v.problem("", ts.nodeAt(0), "%s: the map record spans [%d, %d): its slack was not checked for data", t.name, a, z)
		return false
	}
	ts.mapRecord(0, a, z)
	// The header record's reserved words (reserved3) and the user data
	// record between it and the map: reserved by TN1150, unused by HFS+,
	// zero in every volume newfs_hfs and hdiutil make.
	if u := int(be.Uint16(buf[ns-4:])); u < 14+106 || u > a {
		v.problem("", ts.nodeAt(0), "%s: the user data record spans [%d, %d): its slack was not checked for data", t.name, u, a)
		return false
	} else if j := firstNonZero(buf[14+42 : 14+106]); j >= 0 {
		ts.s.first(ts.nodeAt(0) + 14 + 42 + int64(j))
		ts.s.add(64+int64(a-u), "its header record's reserved words and user data record")
	} else if j := firstNonZero(buf[u:a]); j >= 0 {
		ts.s.first(ts.nodeAt(0) + int64(u+j))
		ts.s.add(64+int64(a-u), "its header record's reserved words and user data record")
	}
	return true
}

// mapNodes follows the chain of map nodes from the header node, read
// last, checks each one's map record, and returns the header node and
// the map nodes; ok is false when the chain or a node is inconsistent.
func (ts *treeScan) mapNodes() (used []uint32, ok bool) {
	v, t, buf, ns := ts.v, ts.t, ts.buf, ts.ns
	be := binary.BigEndian
	used = []uint32{0}
	for next := be.Uint32(buf); next != 0; next = be.Uint32(buf) {
		if next >= t.nodes || len(used) > maxMapNodes || t.reached[next] || slices.Contains(used, next) {
			v.problem("", ts.nodeAt(0), "%s: the map node chain leads to node %d of %d, or loops: its slack was not checked for data", t.name, next, t.nodes)
			return nil, false
		}
		nrec, _, _, read := ts.records(next)
		a, z := int(be.Uint16(buf[ns-2:])), int(be.Uint16(buf[ns-4:]))
		if !read || int8(buf[8]) != 2 || nrec < 1 || a < 14 || a > z || z > int(ns)-2*(nrec+1) {
			v.problem("", ts.nodeAt(next), "%s: map node %d is inconsistent: its slack was not checked for data", t.name, next)
			return nil, false
		}
		ts.mapRecord(next, a, z)
		used = append(used, next)
	}
	return used, true
}

// freeSpaceSlack checks the free space of the nodes used, sorted.
func (ts *treeScan) freeSpaceSlack(used []uint32) {
	nodes := 0
	for _, n := range used {
		_, free, table, ok := ts.records(n)
		if !ok {
			continue // the leaves and the index are read, and checked, otherwise
		}
		if j := firstNonZero(ts.buf[free:max(free, table-2*staleSlots)]); j >= 0 {
			nodes++
			ts.s.size += int64(table - free)
			ts.s.first(ts.nodeAt(n) + int64(free+j))
		}
	}
	if nodes > 0 {
		ts.s.parts = append(ts.s.parts, fmt.Sprintf("the free space of %d nodes", nodes))
	}
}

// unreachedSlack checks the nodes between the nodes used, sorted, and the
// file past its last node: one scan a run, which skips what the reader
// knows to be zeros.
func (ts *treeScan) unreachedSlack(used []uint32) {
	v, t, ns := ts.v, ts.t, ts.ns
	nodes, tail := 0, int64(0)
	lastNode := int64(-1)
	hit := func(at, off int64) {
		ts.s.first(at)
		if off >= int64(t.nodes)*ns {
			tail++
			return
		}
		if n := off / ns; n != lastNode {
			nodes++
			lastNode = n
		}
	}
	from := int64(0)
	for _, n := range append(used, t.nodes) {
		if int64(n) > from {
			if err := v.forkScan(ts.zs, t.f.exts, from*ns, int64(n)*ns, hit); err != nil {
				v.problem("", ts.nodeAt(uint32(from)), "%s: its nodes from %d were not checked for data: %v", t.name, from, err)
				return
			}
		}
		from = int64(n) + 1
	}
	if nodes > 0 {
		ts.s.add(int64(nodes)*ns, "%d nodes neither its index, its leaves nor its map reach", nodes)
	}
	if err := v.forkScan(ts.zs, t.f.exts, int64(t.nodes)*ns, v.extentBytes(t.f.exts), hit); err != nil {
		v.problem("", ts.nodeAt(0), "%s: the file past its last node was not checked for data: %v", t.name, err)
	}
	if tail > 0 {
		ts.s.add(tail*int64(v.BlockSize), "%d allocation blocks past its last node", tail)
	}
}

// reservedSlack reports the bytes around the volume headers that hold
// nothing and are not zero: the 1024 bytes before the volume header (boot
// blocks, unused on HFS+), the rest of the allocation blocks holding the
// volume header and the alternate one (TN1150: the last 1024 bytes of the
// volume hold it at their start), and the bytes of the partition past the
// volume's last block.
func (v *Volume) reservedSlack(zs *zeroScan) {
	bs := int64(v.BlockSize)
	total := int64(v.Blocks) * bs
	s := slack{at: -1}
	check := func(a, b int64, what string) {
		if a >= b {
			return
		}
		at := int64(-1)
		if err := zs.scan(a, b, b-a, func(x int64) { at = x }); err != nil {
			v.problem("", a, "%s was not checked for data: %v", what, err)
			return
		}
		if at >= 0 {
			s.add(b-a, "%s", what)
			s.first(at)
		}
	}
	check(0, 1024, "the 1024 bytes before the volume header")
	check(1536, min(total, (1536+bs-1)/bs*bs), "the rest of the volume header's allocation blocks")
	if total >= 1536 {
		check(max(1536, (total-1024)/bs*bs), total-1024, "the allocation blocks before the alternate volume header")
		check(total-512, total, "the 512 bytes after the alternate volume header")
	}
	check(total, v.size, "the bytes past the volume's last block")
	v.reportSlack("the reserved area", &s)
}
