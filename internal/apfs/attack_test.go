package apfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// drecOf returns the index of the directory record named name.
func drecOf(recs []rec, name string) int {
	for i, r := range recs {
		if le.Uint64(r.k)>>typeShift == recDirRec && string(r.k[12:len(r.k)-1]) == name {
			return i
		}
	}
	panic("no record " + name)
}

// hasProblem reports whether v has a problem whose reason holds want.
func hasProblem(v *Volume, want string) bool {
	for _, p := range v.Problems {
		if strings.Contains(p.Reason, want) {
			return true
		}
	}
	return false
}

// TestAttackBadChecksum: a byte changed in any object read (block 0's
// superblock, the file-system tree, the object map) fails its
// Fletcher-64 checksum and the container is refused.
func TestAttackBadChecksum(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	for _, blk := range []int{0, 3, 4, 5, 7, 8} {
		b := bytes.Clone(good)
		b[blk*buildBS+200] ^= 1
		_, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "checksum") && !strings.Contains(err.Error(), "no valid checkpoint") {
			t.Errorf("block %d: %v", blk, err)
		}
	}
}

// TestAttackStaleCheckpointMap: a checkpoint whose map blocks do not
// check out (here, the last is not flagged last) is not mounted, and
// with no other checkpoint the container is refused.
func TestAttackStaleCheckpointMap(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	cpm := b[buildBS : 2*buildBS]
	le.PutUint32(cpm[32:], 0) // not flagged last
	seal(cpm)
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); err == nil || !strings.Contains(err.Error(), "no valid checkpoint") {
		t.Errorf("err %v", err)
	}
}

// fsNodes returns the blocks of the built image's file-system tree.
func fsNodes(b []byte) (root int, index []int) {
	for i := 8; (i+1)*buildBS <= len(b); i++ {
		blk := b[i*buildBS:]
		if le.Uint32(blk[28:]) != typeFSTree {
			break
		}
		if le.Uint16(blk[32:])&btnRoot != 0 {
			root = i
		}
		if le.Uint16(blk[34:]) > 0 {
			index = append(index, i)
		}
	}
	return root, index
}

// TestAttackCyclicTree: an index node whose child is itself, or two
// entries sharing a child (whose keys then lie outside one entry's
// range), is refused rather than walked forever (or exponentially).
func TestAttackCyclicTree(t *testing.T) {
	good := build(t, BuildSpec{Files: sample(), LeafRecords: 2})
	root, index := fsNodes(good)
	if len(index) < 2 {
		t.Fatalf("index nodes %v", index)
	}
	for _, at := range index {
		for _, self := range []bool{true, false} {
			b := bytes.Clone(good)
			n := b[at*buildBS : (at+1)*buildBS]
			end := buildBS
			if at == root {
				end -= btreeInfoSize
			}
			// The first entry's value is the last 8-byte value.
			v0 := n[end-8:]
			target := le.Uint64(n[8:])
			if !self {
				target = le.Uint64(n[end-16:]) // the second entry's child
			}
			le.PutUint64(v0, target)
			seal(n)
			_, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
			if err == nil || !strings.Contains(err.Error(), "reached twice") && !strings.Contains(err.Error(), "out of order") {
				t.Errorf("node %d self %v: %v", at, self, err)
			}
		}
	}
}

// TestAttackExtentPastContainer: a file extent beyond the container's
// blocks is refused and the file left out.
func TestAttackExtentPastContainer(t *testing.T) {
	b := build(t, BuildSpec{Files: sample(), edit: func(recs []rec) []rec {
		for _, r := range recs {
			if le.Uint64(r.k)>>typeShift == recFileExtent {
				le.PutUint64(r.v[8:], 1<<40)
			}
		}
		return recs
	}})
	v := open(t, b)
	if !hasProblem(v, "past the container") {
		t.Errorf("problems %v", v.Problems)
	}
	if _, err := fs.Stat(v, "Example.app/Contents/MacOS/Example"); err == nil {
		t.Error("file listed")
	}
}

// TestAttackUnsafeNames: names holding "/" (a path inside one record),
// "." or ".." are refused; one holding NUL refuses the tree.
func TestAttackUnsafeNames(t *testing.T) {
	for _, name := range []string{"a/b", "..", ".", "x\x00y"} {
		placeholder := strings.Repeat("z", len(name))
		files := map[string]BuildFile{"Example.app/Contents/" + placeholder: {Data: []byte("payload")}}
		b := build(t, BuildSpec{Files: files, edit: func(recs []rec) []rec {
			r := recs[drecOf(recs, placeholder)]
			copy(r.k[12:], name)
			return recs
		}})
		v, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
		if strings.Contains(name, "\x00") {
			// A NUL before the name's end: the record does not read.
			if err == nil || !strings.Contains(err.Error(), "not NUL-terminated") {
				t.Errorf("%q: err %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblem(v, "unsafe name") {
			t.Errorf("%q: problems %v paths %v", name, v.Problems, v.Paths())
		}
		if len(v.Paths()) != 3 {
			t.Errorf("%q: paths %v", name, v.Paths())
		}
	}
}

// TestAttackCaseTwins: on a case-insensitive volume, two names that
// differ only in case (or normalization) are one entry for macOS: one is
// refused. A case-sensitive volume keeps both.
func TestAttackCaseTwins(t *testing.T) {
	files := map[string]BuildFile{
		"App/Contents/Info.plist": {Data: []byte("read by the check")},
		"App/Contents/INFO.plist": {Data: []byte("read by macOS?")},
		"App/Contents/caf\u00e9":  {Data: []byte("nfc")},
		"App/Contents/cafe\u0301": {Data: []byte("nfd")},
	}
	v := open(t, build(t, BuildSpec{Files: files}))
	if len(v.Problems) != 2 || !hasProblem(v, "name the same entry") {
		t.Errorf("problems %v", v.Problems)
	}
	v = open(t, build(t, BuildSpec{Files: files, CaseSensitive: true}))
	if len(v.Problems) != 1 || !hasProblem(v, "name the same entry") {
		t.Errorf("case-sensitive problems %v", v.Problems)
	}
}

// TestAttackDirectoryLoop: a folder record pointing at an ancestor (or
// a folder reached twice) is refused, not walked.
func TestAttackDirectoryLoop(t *testing.T) {
	b := build(t, BuildSpec{Files: sample(), edit: func(recs []rec) []rec {
		dir := recs[drecOf(recs, "Dir")]
		sub := recs[drecOf(recs, "Sub")]
		loop := drecRec(le.Uint64(sub.v), "Loop", le.Uint64(dir.v), dtDir, true)
		return append(recs, loop)
	}})
	v := open(t, b)
	if !hasProblem(v, "reached a second time") {
		t.Errorf("problems %v", v.Problems)
	}
	if _, err := fs.Stat(v, "Dir/Sub/Loop"); err == nil {
		t.Error("loop listed")
	}
}

// TestAttackMissingInode: a directory record whose inode does not exist
// is refused.
func TestAttackMissingInode(t *testing.T) {
	b := build(t, BuildSpec{Files: sample(), edit: func(recs []rec) []rec {
		id := le.Uint64(recs[drecOf(recs, "Info.plist")].v)
		out := recs[:0]
		for _, r := range recs {
			if !(le.Uint64(r.k) == id|recInode<<typeShift) {
				out = append(out, r)
			}
		}
		return out
	}})
	v := open(t, b)
	if !hasProblem(v, "does not exist") {
		t.Errorf("problems %v", v.Problems)
	}
}

// TestAttackHardLinkFanout: thousands of directory records of one
// inode whose link count is one: only one is read, so a large file
// cannot be made to be hashed once per record.
func TestAttackHardLinkFanout(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1<<16)
	b := build(t, BuildSpec{Files: map[string]BuildFile{"f": {Data: big}}, edit: func(recs []rec) []rec {
		id := le.Uint64(recs[drecOf(recs, "f")].v)
		for i := range 2000 {
			recs = append(recs, drecRec(rootDirID, fmt.Sprintf("link%04d", i), id, dtReg, true))
		}
		return recs
	}})
	v := open(t, b)
	if len(v.Problems) != 2000 || len(v.Paths()) != 2 || v.TotalSize() != uint64(len(big)) {
		t.Errorf("%d problems, paths %d, total %d", len(v.Problems), len(v.Paths()), v.TotalSize())
	}
}

// TestMaxRecords: more records than allowed is an error.
func TestMaxRecords(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxRecords: 5}); err == nil || !strings.Contains(err.Error(), "more than 5") {
		t.Errorf("err %v", err)
	}
}

// TestTruncated: a container cut short is an error, never a panic.
func TestTruncated(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	for _, n := range []int{40, 4096, 5000, 8 * 4096, len(b) - 4096} {
		if _, err := Open(bytes.NewReader(b[:n]), int64(n), Options{}); err == nil {
			t.Errorf("%d bytes: no error", n)
		}
	}
}

// TestFSKeyOrder: keys whose type-specific part is an integer (file
// extents, sibling links) are ordered as integers, not as their
// little-endian bytes, so a real volume's hard links read.
func TestFSKeyOrder(t *testing.T) {
	r := &records{hashed: true}
	k := func(typ, x uint64) []byte { return le.AppendUint64(key(20, typ), x) }
	for _, typ := range []uint64{recFileExtent, recSiblingLink, recFileInfo} {
		if r.fsCmp(k(typ, 0xff), k(typ, 0x100)) >= 0 {
			t.Errorf("type %d: 0xff not before 0x100", typ)
		}
	}
	if r.fsCmp(key(19, recDirRec), key(20, recInode)) >= 0 || r.fsCmp(key(20, recInode), key(20, recXattr)) >= 0 {
		t.Error("object id, then type")
	}
}

// TestUnsupported: an encrypted or sealed volume, or one rooted in a
// snapshot, is an UnsupportedError, not a volume read wrongly.
func TestUnsupported(t *testing.T) {
	good := build(t, BuildSpec{Files: sample()})
	for name, edit := range map[string]func(s []byte){
		"encrypted": func(s []byte) { le.PutUint64(s[264:], 0) },
		"sealed":    func(s []byte) { le.PutUint64(s[56:], incompatCaseInsens|incompatSealed) },
		"snapshot":  func(s []byte) { le.PutUint64(s[968:], 1) },
		"reverting": func(s []byte) { le.PutUint64(s[160:], 1) },
	} {
		b := bytes.Clone(good)
		s := b[5*buildBS : 6*buildBS]
		edit(s)
		seal(s)
		_, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
		var ue *UnsupportedError
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCheckpointSuperblockRead: the checkpoint's superblock, not block
// 0's copy, says where the object map is, as macOS mounts it: a block 0
// pointing elsewhere changes nothing.
func TestCheckpointSuperblockRead(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	b0 := b[:buildBS]
	le.PutUint64(b0[160:], 7) // the volume's object map, not the container's
	seal(b0)
	v := open(t, b)
	if len(v.Paths()) != len(open(t, build(t, BuildSpec{Files: sample()})).Paths()) {
		t.Errorf("paths %v", v.Paths())
	}
}

// TestAttackDuplicateDataStream: an inode with two data stream extended
// fields (a size for macOS, another for us) is refused, not read with
// whichever size the reader happens to take.
func TestAttackDuplicateDataStream(t *testing.T) {
	field := func(size uint64) []byte {
		f := make([]byte, 40)
		le.PutUint64(f, size)
		return f
	}
	b := make([]byte, 4+8)
	le.PutUint16(b, 2)
	le.PutUint16(b[2:], 80)
	b[4], b[8] = inoExtDstream, inoExtDstream
	le.PutUint16(b[6:], 40)
	le.PutUint16(b[10:], 40)
	b = append(append(b, field(100)...), field(4096)...)
	if size, err := inodeSize(b); err == nil {
		t.Errorf("two data streams read as size %d", size)
	}
	one := append([]byte{1, 0, 40, 0, inoExtDstream, 0, 40, 0}, field(100)...)
	if size, err := inodeSize(one); err != nil || size != 100 {
		t.Errorf("one data stream: %d, %v", size, err)
	}
}

// TestAttackCheckpointTie: two valid checkpoints of the same xid (each a
// superblock alone in the descriptor area, the second pointing at
// another object map) are refused: which one macOS mounts is unknown.
func TestAttackCheckpointTie(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	for i, blk := range []int{1, 2} {
		s := b[blk*buildBS : (blk+1)*buildBS]
		copy(s, b[2*buildBS:3*buildBS])
		le.PutUint32(s[136:], uint32(i)) // descriptor index
		le.PutUint32(s[140:], 1)         // descriptor length: the superblock alone
		seal(s)
	}
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); err == nil || !strings.Contains(err.Error(), "share the latest xid") {
		t.Errorf("err %v", err)
	}
	// One of them a later xid: it is mounted.
	s := b[2*buildBS : 3*buildBS]
	le.PutUint64(s[16:], le.Uint64(s[16:])+1)
	seal(s)
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); err != nil {
		t.Errorf("later checkpoint: %v", err)
	}
}

// TestAttackExtentPastMaxOffset: a file extent at a logical address past
// the largest int64 (negative once converted) is refused: it made the
// reader panic on a slice of negative length (or, with two extents, its
// binary search skip the file's data and read zeros).
func TestAttackExtentPastMaxOffset(t *testing.T) {
	b := build(t, BuildSpec{Files: map[string]BuildFile{"f": {Data: bytes.Repeat([]byte{'a'}, 2*buildBS)}}, edit: func(recs []rec) []rec {
		for _, r := range recs {
			if le.Uint64(r.k)>>typeShift == recFileExtent {
				id := le.Uint64(r.k) & objIDMask
				le.PutUint64(r.v, buildBS) // [0, 4096), then [4096, 8192) at the same blocks
				x := extentRec(id, 1<<63, buildBS)
				le.PutUint64(x.v[8:], 5)
				return append(recs, extentRec(id, buildBS, buildBS), x)
			}
		}
		panic("no extent")
	}})
	v := open(t, b)
	if !hasProblem(v, "past the largest") {
		t.Errorf("problems %v", v.Problems)
	}
	if _, err := fs.ReadFile(v, "f"); err == nil {
		t.Error("file read")
	}
}

// setSize sets the data stream size of inode record r.
func setSize(r rec, size uint64) {
	xf := r.v[92:]
	n := int(le.Uint16(xf))
	at := 4 + 4*n
	for i := range n {
		sz := int(le.Uint16(xf[4+4*i+2:]))
		if xf[4+4*i] == inoExtDstream {
			le.PutUint64(xf[at:], size)
			return
		}
		at += (sz + 7) &^ 7
	}
	panic("no data stream")
}

// TestAttackSizeWrap: file sizes past the largest int64 are refused,
// and sizes summing past the largest uint64 do not wrap round to a
// small total that passes the expansion budget (here, with a third,
// sparse file of a terabyte of zeros to hash).
func TestAttackSizeWrap(t *testing.T) {
	b := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("a")}, "b": {Data: []byte("b")}, "c": {Data: []byte("c")}}, edit: func(recs []rec) []rec {
		for _, r := range recs {
			if le.Uint64(r.k)>>typeShift == recInode && le.Uint16(r.v[80:])&sIFMT == sIFREG {
				switch name := string(r.v[92+4+8 : 92+4+8+1]); name {
				case "a", "b":
					setSize(r, 1<<63)
				case "c":
					setSize(r, 1<<40)
				}
			}
		}
		return recs
	}})
	v := open(t, b)
	if !hasProblem(v, "past the largest file offset") {
		t.Errorf("problems %v", v.Problems)
	}
	if n := v.TotalSize(); n != 1<<40 {
		t.Errorf("total %d", n)
	}
	w := &Volume{paths: map[string]*node{"a": {size: 1 << 63}, "b": {size: 1 << 63}, "c": {size: 1 << 40}}}
	if n := w.TotalSize(); n != math.MaxUint64 {
		t.Errorf("wrapped total %d", n)
	}
}

// TestAttackVolumePastMaxFileSystems: a second volume in a slot past the
// container's nx_max_file_systems is still read (macOS may mount it).
func TestAttackVolumePastMaxFileSystems(t *testing.T) {
	b := build(t, BuildSpec{Files: sample(), Name: "A", More: []BuildSpec{{Name: "B", Files: map[string]BuildFile{"Hidden.app/x": {Data: []byte("x")}}}}})
	for _, blk := range []int{0, 2} {
		s := b[blk*buildBS : (blk+1)*buildBS]
		le.PutUint32(s[180:], 1)
		le.PutUint64(s[nxFSOids+8*5:], buildVolOid+1)
		le.PutUint64(s[nxFSOids+8:], 0)
		seal(s)
	}
	v := open(t, b)
	if v.Volumes != 2 {
		t.Errorf("volumes %d", v.Volumes)
	}
	if _, err := fs.Stat(v, "B/Hidden.app/x"); err != nil {
		t.Error(err)
	}
}

// TestAttackAppInSecondVolume: an app hidden in a container's second
// volume, which macOS mounts too, is a file of the file system (under
// the volume's folder); before, only the first volume was read.
func TestAttackAppInSecondVolume(t *testing.T) {
	hidden := []byte("hidden mach-o")
	b := build(t, BuildSpec{Files: sample(), Name: "Example", More: []BuildSpec{
		{Name: "Extra", Files: map[string]BuildFile{"Hidden.app/Contents/MacOS/Hidden": {Data: hidden}}, CaseSensitive: true}}})
	v := open(t, b)
	if v.Volumes != 2 || !slices.Equal(v.Folders, []string{"Example", "Extra"}) || !slices.Equal(v.Names, []string{"Example", "Extra"}) {
		t.Fatalf("volumes %d folders %q names %q", v.Volumes, v.Folders, v.Names)
	}
	if got, err := fs.ReadFile(v, "Extra/Hidden.app/Contents/MacOS/Hidden"); err != nil || !bytes.Equal(got, hidden) {
		t.Errorf("hidden app: %q %v", got, err)
	}
	if got, err := fs.ReadFile(v, "Example/Example.app/Contents/Info.plist"); err != nil || string(got) != "<plist/>\n" {
		t.Errorf("first volume: %q %v", got, err)
	}
	if err := fstest.TestFS(v, "Example/Example.app/Contents/Info.plist", "Extra/Hidden.app/Contents/MacOS/Hidden"); err != nil {
		t.Error(err)
	}
}

// TestVolumeFolders: volumes whose names are unsafe, empty or collide
// (in case) get "volume N" folders, made unique; one volume is the root.
func TestVolumeFolders(t *testing.T) {
	one := map[string]BuildFile{"f": {Data: []byte("1")}}
	b := build(t, BuildSpec{Files: one, Name: "A", More: []BuildSpec{{Files: one, Name: "a"}, {Files: one, Name: ".."}, {Files: one, Name: "volume 4"}, {Files: one, Name: "x/y"}}})
	v := open(t, b)
	want := []string{"A", "volume 2", "volume 3", "volume 4", "volume 5"}
	if !slices.Equal(v.Folders, want) {
		t.Errorf("folders %q", v.Folders)
	}
	b = build(t, BuildSpec{Files: one, Name: "volume 2", More: []BuildSpec{{Files: one, Name: "volume 2"}}})
	if v := open(t, b); !slices.Equal(v.Folders, []string{"volume 2", "volume 2~"}) {
		t.Errorf("folders %q", v.Folders)
	}
	if v := open(t, build(t, BuildSpec{Files: one, Name: "A"})); !slices.Equal(v.Folders, []string{"."}) {
		t.Errorf("folders %q", v.Folders)
	}
}

// TestAttackVolumeListedTwice: one volume oid in two slots is refused.
func TestAttackVolumeListedTwice(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	for _, blk := range []int{0, 2} {
		s := b[blk*buildBS : (blk+1)*buildBS]
		le.PutUint64(s[nxFSOids+8:], buildVolOid)
		seal(s)
	}
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("err %v", err)
	}
}

// TestAttackDecompressionRepeat: a compressed file is decoded once
// however many paths reach it, and what its header declares is charged
// to Options.MaxInline before decoding: a file declaring more than is
// left is not decoded at all (before, each path and each failing file
// decoded in full, a volume of small bombs costing unbounded work).
func TestAttackDecompressionRepeat(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 600<<10)
	b := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: data, Compressed: true}, "b": {HardLink: "a"},
		"c": {Data: bytes.Repeat([]byte("y"), 500<<10), Compressed: true}}})
	v, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxInline: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "b"} {
		if got, err := fs.ReadFile(v, p); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes, %v", p, len(got), err)
		}
	}
	if len(v.Skipped) != 1 || v.Skipped[0].Path != "c" || !strings.Contains(v.Skipped[0].Reason, "reader's limit") {
		t.Errorf("skipped %v", v.Skipped)
	}
}

// TestAttackBadEphemeralObject: the latest checkpoint's map lists an
// ephemeral object (a space manager) that fails its checksum; macOS may
// then refuse the checkpoint or mount an earlier one, so the container
// is refused rather than read at that checkpoint.
func TestAttackBadEphemeralObject(t *testing.T) {
	withEntry := func(typ uint32, oid, addr uint64) []byte {
		b := build(t, BuildSpec{Files: sample()})
		cpm := b[buildBS : 2*buildBS]
		le.PutUint32(cpm[36:], 1)
		e := cpm[40:]
		le.PutUint32(e, typ)
		le.PutUint32(e[8:], buildBS)
		le.PutUint64(e[24:], oid)
		le.PutUint64(e[32:], addr)
		seal(cpm)
		return b
	}
	last := uint64(len(build(t, BuildSpec{Files: sample()}))/buildBS - 1)
	b := withEntry(objEphemeral|0x05, 1024, last) // a file's data block
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); err == nil || !strings.Contains(err.Error(), "ephemeral object 1024") {
		t.Errorf("err %v", err)
	}
	b = withEntry(objVirtual|typeFS, buildVolOid, 5) // an object that checks out
	open(t, b)
}

// TestUnsupportedFusion: a container flagged as a Fusion drive's (its
// blocks split over two devices, one not in the image) is an
// UnsupportedError, which the disk image walker reports as
// dmg/filesystem-not-opened, not a container read from half its blocks.
func TestUnsupportedFusion(t *testing.T) {
	b := build(t, BuildSpec{Files: sample()})
	for _, blk := range []int{0, 2} { // block 0 and the checkpoint's copy
		s := b[blk*buildBS : (blk+1)*buildBS]
		le.PutUint64(s[64:], le.Uint64(s[64:])|nxIncompatFusion)
		seal(s)
	}
	_, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(ue.Feature, "fusion") {
		t.Errorf("got %v", err)
	}
}
