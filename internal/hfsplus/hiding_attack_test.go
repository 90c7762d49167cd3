package hfsplus

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// The attacks of this file hide bytes where a reader of the volume's
// files looks at nothing: free blocks, B-tree and bitmap slack, and
// blocks whose allocation is inconsistent.

// onlyExtra fails unless v has one extra, of kind k, whose detail holds
// each of want, and no problem; it returns it.
func onlyExtra(t *testing.T, v *Volume, k ExtraKind, want ...string) Extra {
	t.Helper()
	got := extrasOf(v, k)
	if len(got) != 1 || len(v.Extras) != 1 || len(v.Problems) > 0 {
		t.Fatalf("want one %v: extras %+v problems %v", k, v.Extras, v.Problems)
	}
	for _, w := range want {
		if !strings.Contains(got[0].Detail, w) {
			t.Errorf("detail %q lacks %q", got[0].Detail, w)
		}
	}
	return got[0]
}

// TestFreeBlockPayload: a payload in blocks the bitmap marks free is
// reported with its first byte's offset; zeros there are not (see
// TestNoExtrasInBuiltVolume).
func TestFreeBlockPayload(t *testing.T) {
	payload := append(make([]byte, 5000), []byte("MZ payload in free space")...)
	img := build(t, BuildSpec{Files: sample(), FreeData: payload})
	e := onlyExtra(t, open(t, img), ExtraFreeData, "1 allocation blocks of 4096 bytes marked free")
	if e.Size != 4096 || !bytes.HasPrefix(img[e.Offset:], []byte("MZ payload")) {
		t.Errorf("extra %+v", e)
	}
}

// spanReader is a volume reader that says the bytes [zero, end) read as
// zeros (as a disk image's zero-fill chunk) and records whether they
// were read.
type spanReader struct {
	*bytes.Reader
	zero, end int64
	read      bool
}

func (r *spanReader) Span(off int64) (int64, bool) {
	switch {
	case off < r.zero:
		return r.zero, false
	case off < r.end:
		return r.end, true
	}
	return r.Size(), false
}

func (r *spanReader) ReadAt(b []byte, off int64) (int, error) {
	if off < r.end && off+int64(len(b)) > r.zero {
		r.read = true
	}
	return r.Reader.ReadAt(b, off)
}

// TestFreeBlocksZeroSpansNotRead: free blocks a ZeroSpanner reader says
// are zeros are not read (a disk image's zero-fill chunks are not
// decoded); the blocks around them still are.
func TestFreeBlocksZeroSpansNotRead(t *testing.T) {
	free := make([]byte, 4*4096)
	copy(free[3*4096:], "payload")
	img := build(t, BuildSpec{Files: sample(), FreeData: free})
	at := int64(bytes.Index(img, []byte("payload")))
	r := &spanReader{Reader: bytes.NewReader(img), zero: at - 3*4096, end: at}
	v, err := Open(r, int64(len(img)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.read {
		t.Error("blocks said to be zeros were read")
	}
	if e := onlyExtra(t, v, ExtraFreeData); e.Offset != at {
		t.Errorf("extra %+v, payload at %#x", e, at)
	}
}

// fileFork returns the offset in img of the data fork of the catalog
// record of path p.
func fileFork(t *testing.T, img []byte, p string) int64 {
	t.Helper()
	n := open(t, img).paths[p]
	if n == nil {
		t.Fatalf("no %s", p)
	}
	return n.at + 2 + int64(binary.BigEndian.Uint16(img[n.at:])) + 88
}

// TestFileInFreeBlocks: a file whose block the bitmap marks free is an
// allocation mismatch (a bitmap-driven copy drops its data), and its
// data is not reported as free data too.
func TestFileInFreeBlocks(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("signed data")}}})
	blk := open(t, img).paths["a"].exts[0].start
	bm := binary.BigEndian.Uint32(img[1024+112+16:])
	img[int(bm)*4096+int(blk/8)] &^= 0x80 >> (blk % 8)
	e := onlyExtra(t, open(t, img), ExtraAllocation, "referenced but marked free")
	if e.Offset != int64(blk)*4096 || e.Size != 4096 {
		t.Errorf("extra %+v", e)
	}
}

// TestCrossLinkedFiles: a second file whose extent points at the first
// one's block (its own block left allocated) is reported as sharing it,
// naming both files; its old block is unreferenced.
func TestCrossLinkedFiles(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("a")}, "b": {Data: []byte("b")}}})
	a := open(t, img).paths["a"].exts[0].start
	binary.BigEndian.PutUint32(img[fileFork(t, img, "b")+16:], a)
	v := open(t, img)
	got := extrasOf(v, ExtraAllocation)
	if len(got) != 1 || len(extrasOf(v, ExtraUnreferenced)) != 1 || len(v.Extras) != 2 {
		t.Fatalf("extras %+v", v.Extras)
	}
	if d := got[0].Detail; !strings.Contains(d, `the data fork of "a"`) || !strings.Contains(d, `the data fork of "b"`) || got[0].Offset != int64(a)*4096 {
		t.Errorf("extra %+v", got[0])
	}
}

// TestExtentTwiceInOneFork: a fork whose second extent repeats its
// first reads the same block twice: reported.
func TestExtentTwiceInOneFork(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: bytes.Repeat([]byte("x"), 4096)}}})
	f := img[fileFork(t, img, "a"):]
	be := binary.BigEndian
	be.PutUint64(f, 2*4096)
	be.PutUint32(f[12:], 2)
	copy(f[24:32], f[16:24])
	v := open(t, img)
	got := extrasOf(v, ExtraAllocation)
	if len(got) != 1 || !strings.Contains(got[0].Detail, `referenced twice by the data fork of "a"`) {
		t.Fatalf("extras %+v problems %v", v.Extras, v.Problems)
	}
}

// journaled returns a volume whose journal info block and journal are
// the root's files .journal_info_block and .journal, as macOS makes
// them, or, with decoy, a journal over the blocks of file "a".
func journaled(t *testing.T, decoy bool) []byte {
	t.Helper()
	img := build(t, BuildSpec{Files: map[string]BuildFile{
		".journal":            {Data: make([]byte, 2*4096)},
		".journal_info_block": {Data: make([]byte, 4096)},
		"a":                   {Data: make([]byte, 2*4096)},
	}})
	v := open(t, img)
	jib, j := v.paths[".journal_info_block"].exts[0].start, v.paths[".journal"].exts[0].start
	if decoy {
		j = v.paths["a"].exts[0].start
	}
	be := binary.BigEndian
	b := img[int(jib)*4096:]
	be.PutUint32(b, 1)
	be.PutUint64(b[36:], uint64(j)*4096)
	be.PutUint64(b[44:], 2*4096)
	be.PutUint32(img[1024+4:], be.Uint32(img[1024+4:])|1<<13)
	be.PutUint32(img[1024+12:], jib)
	return img
}

// TestJournalFilesShareJournalBlocks: the journal and its info block are
// also files of the root folder on every journaled volume: not
// reported. A journal over another file's blocks is.
func TestJournalFilesShareJournalBlocks(t *testing.T) {
	v := open(t, journaled(t, false))
	if len(v.Extras) > 0 || len(v.Problems) > 0 {
		t.Errorf("extras %+v problems %v", v.Extras, v.Problems)
	}
	v = open(t, journaled(t, true))
	got := extrasOf(v, ExtraAllocation)
	if len(got) != 1 || !strings.Contains(got[0].Detail, `the journal and by the data fork of "a"`) {
		t.Errorf("extras %+v", v.Extras)
	}
}

// catalogNode returns the offset in img of catalog node n (of ns bytes,
// the catalog file in one extent).
func catalogNode(img []byte, n, ns int) int {
	return int(binary.BigEndian.Uint32(img[1024+272+16:]))*4096 + n*ns
}

// TestBTreeNodeSlackPayload: bytes written in a leaf node's free space,
// between its last record and its offsets, are reported.
func TestBTreeNodeSlackPayload(t *testing.T) {
	img := build(t, BuildSpec{Files: sample()})
	node := img[catalogNode(img, 1, 4096):][:4096]
	be := binary.BigEndian
	if int8(node[8]) != -1 {
		t.Fatal("node 1 is not a leaf")
	}
	free := int(be.Uint16(node[4096-2*(int(be.Uint16(node[10:]))+1):]))
	copy(node[free+100:], "payload")
	e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "the free space of 1 nodes")
	if !bytes.HasPrefix(img[e.Offset:], []byte("payload")) {
		t.Errorf("extra %+v", e)
	}
}

// treeMap returns the catalog's node count and its header's map record.
func treeMap(img []byte, ns int) (int, []byte) {
	h := img[catalogNode(img, 0, ns):][:ns]
	return int(binary.BigEndian.Uint32(h[14+22:])), h[14+106+128 : ns-8]
}

// TestBTreeFreeNodePayload: a payload in a node the catalog's map marks
// free is reported, and in one it marks used that neither the index nor
// the leaf chain reaches; so is a map bit set past the last node, and
// one in the last byte of the map's bits.
func TestBTreeFreeNodePayload(t *testing.T) {
	spec := BuildSpec{Files: sample(), NodeSize: 512}
	img := build(t, spec)
	nodes, m := treeMap(img, 512)
	last := nodes - 1
	if m[last/8]&(0x80>>(last%8)) != 0 {
		t.Fatal("the catalog's last node is used")
	}
	copy(img[catalogNode(img, last, 512)+10:], "payload")
	onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "1 nodes neither its index, its leaves nor its map reach")

	// Marked used, but linked from nothing: still reported.
	img = build(t, spec)
	_, m = treeMap(img, 512)
	m[last/8] |= 0x80 >> (last % 8)
	copy(img[catalogNode(img, last, 512)+10:], "payload")
	onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "1 nodes neither its index, its leaves nor its map reach")

	img = build(t, spec)
	_, m = treeMap(img, 512)
	m[len(m)-1] = 1
	onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "its node map past its last node")

	// A catalog of two 4096-byte nodes: the bits of its map's first byte
	// past them.
	img = build(t, BuildSpec{Files: sample()})
	if nodes, m := treeMap(img, 4096); nodes != 2 || m[0] != 0xc0 {
		t.Fatalf("%d nodes, map %#x", nodes, m[0])
	} else {
		m[0] |= 1
	}
	onlyExtra(t, open(t, img), ExtraMetadataSlack, "the catalog file", "its node map past its last node")
}

// TestBitmapSlackPayload: bytes of the allocation file past the bits of
// the volume's blocks are reported.
func TestBitmapSlackPayload(t *testing.T) {
	img := build(t, BuildSpec{Files: sample()})
	be := binary.BigEndian
	bm, n := be.Uint32(img[1024+112+16:]), be.Uint32(img[1024+44:])
	if n > 8*4000 {
		t.Fatalf("%d blocks", n)
	}
	copy(img[int(bm)*4096+4000:], "payload")
	e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the allocation file", "1 allocation blocks past the bits")
	if !bytes.HasPrefix(img[e.Offset:], []byte("payload")) {
		t.Errorf("extra %+v", e)
	}
}

// TestBTreeStaleOffsetSlotsTolerated: the slots right below a node's
// record offsets, which macOS leaves holding a deleted record's offset
// (seen in an hdiutil-made image), are tolerated, up to eight; bytes
// below them are not.
func TestBTreeStaleOffsetSlotsTolerated(t *testing.T) {
	for _, c := range []struct {
		below int // bytes below the offsets written
		found bool
	}{{2, false}, {16, false}, {18, true}} {
		img := build(t, BuildSpec{Files: sample()})
		node := img[catalogNode(img, 1, 4096):][:4096]
		table := 4096 - 2*(int(binary.BigEndian.Uint16(node[10:]))+1)
		node[table-c.below] = 0x24
		v := open(t, img)
		if got := len(extrasOf(v, ExtraMetadataSlack)) > 0; got != c.found {
			t.Errorf("%d bytes below: extras %+v", c.below, v.Extras)
		}
	}
}

// TestReservedAreaPayload: bytes hidden around the volume headers (the
// boot blocks, the rest of block 0, the alternate header's block) or
// past the volume's last block are reported; the headers themselves
// are not.
func TestReservedAreaPayload(t *testing.T) {
	for _, c := range []struct {
		name string
		at   func(n int) int // where "payload" goes in a volume of n bytes
		grow int             // bytes appended past the volume first
	}{
		{"BootBlocks", func(int) int { return 100 }, 0},
		{"AfterVolumeHeader", func(int) int { return 2000 }, 0},
		{"BeforeAlternateHeader", func(n int) int { return n - 2048 }, 0},
		{"AfterAlternateHeader", func(n int) int { return n - 100 }, 0},
		{"PastLastBlock", func(n int) int { return n - 1000 }, 4096},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := build(t, BuildSpec{Files: sample()})
			img = append(img, make([]byte, c.grow)...)
			copy(img[c.at(len(img)):], "payload")
			e := onlyExtra(t, open(t, img), ExtraMetadataSlack, "the reserved area")
			if !bytes.HasPrefix(img[e.Offset:], []byte("payload")) {
				t.Errorf("extra %+v", e)
			}
		})
	}
}
