package hfsplus

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"
)

// extrasOf returns the volume's extras of kind k.
func extrasOf(v *Volume, k ExtraKind) []Extra {
	var out []Extra
	for _, e := range v.Extras {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// TestNoExtrasInBuiltVolume: a volume of files, links, hard links,
// compressed files (inline and in the resource fork) and tolerated
// attributes accounts for every allocated block.
func TestNoExtrasInBuiltVolume(t *testing.T) {
	files := sample()
	files["hl"] = BuildFile{Data: []byte("linked"), HardLink: true}
	files["z"] = BuildFile{Data: []byte("inline compressed"), Compressed: true}
	files["z4"] = BuildFile{Compressed: true, Rsrc: []byte("compressed data in the resource fork")}
	files["tagged"] = BuildFile{Data: []byte("x"), Xattrs: map[string][]byte{
		"com.apple.quarantine": []byte("0081;00000000;Safari;"),
		"com.apple.FinderInfo": make([]byte, 32),
	}}
	for _, s := range []BuildSpec{{Files: files}, {Files: files, NodeSize: 512}, manyFiles(),
		{Files: map[string]BuildFile{"big": {Data: make([]byte, 12*4096)}}, Fragment: true},
		{Files: files, FreeData: make([]byte, 8192)}} {
		v := open(t, build(t, s))
		if len(v.Extras) > 0 || len(v.Problems) > 0 {
			t.Errorf("extras %v problems %v", v.Extras, v.Problems)
		}
	}
}

// TestHiddenResourceFork: a payload in a plain file's resource fork,
// which the data fork's hash does not cover, is reported with its size.
func TestHiddenResourceFork(t *testing.T) {
	payload := bytes.Repeat([]byte("MZ payload "), 1000)
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"App.app/Contents/Resources/a.txt": {Data: []byte("a"), Rsrc: payload},
	}}))
	got := extrasOf(v, ExtraResourceFork)
	if len(got) != 1 || got[0].Path != "App.app/Contents/Resources/a.txt" || got[0].Size != int64(len(payload)) || got[0].Offset <= 0 {
		t.Fatalf("extras %+v", v.Extras)
	}
	if len(v.Extras) != 1 {
		t.Errorf("extras %+v", v.Extras)
	}
}

// TestResourceForkBesideInlineCompression: a file compressed inline
// (type 3), whose data is in com.apple.decmpfs, with a resource fork
// too: the fork is not its data, and is reported.
func TestResourceForkBesideInlineCompression(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"z": {Data: []byte("inline"), Compressed: true, Rsrc: []byte("not the data")},
	}}))
	got := extrasOf(v, ExtraResourceFork)
	if len(got) != 1 || !strings.Contains(got[0].Detail, "compressed") {
		t.Fatalf("extras %+v", v.Extras)
	}
}

// TestHiddenResourceForkOverflow: a resource fork of twelve one-block
// extents, continued in the extents overflow file (fork type 0xFF) after
// a fragmented data fork's records: its blocks are the fork's, so only
// the fork is reported, and the data fork still reads.
func TestHiddenResourceForkOverflow(t *testing.T) {
	data := bytes.Repeat([]byte("d"), 10*4096)
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: data, Rsrc: make([]byte, 12*4096)}}, Fragment: true}))
	got := extrasOf(v, ExtraResourceFork)
	if len(got) != 1 || len(v.Extras) != 1 || got[0].Size != 12*4096 || len(v.Problems) > 0 {
		t.Fatalf("extras %+v problems %v", v.Extras, v.Problems)
	}
	if b, err := fs.ReadFile(v, "a"); err != nil || !bytes.Equal(b, data) {
		t.Errorf("a: %d bytes, %v", len(b), err)
	}
}

// TestXattrPayload: an extended attribute carrying a blob, inline or in
// a fork of its own, is reported with its name and size; tolerated
// Finder metadata is not, nor is a tolerated name over its size.
func TestXattrPayload(t *testing.T) {
	big := bytes.Repeat([]byte("payload!"), 1000)
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"a": {Data: []byte("a"), Xattrs: map[string][]byte{
			"com.apple.quarantine": []byte("0081;00000000;Safari;"),
			"com.example.blob":     []byte("small but unknown"),
			"com.apple.FinderInfo": make([]byte, 64), // over its 32 bytes
		}},
		"b":   {Data: []byte("b"), Xattrs: map[string][]byte{"com.example.big": big}},
		"dir": {Dir: true, Xattrs: map[string][]byte{"com.example.d": []byte("on a folder")}},
	}}))
	want := map[string]int64{"a/com.apple.FinderInfo": 64, "a/com.example.blob": 17, "b/com.example.big": int64(len(big)), "dir/com.example.d": 11}
	got := map[string]int64{}
	for _, e := range extrasOf(v, ExtraAttribute) {
		got[e.Path+"/"+e.Name] = e.Size
		if e.Name == "com.example.big" && !strings.Contains(e.Detail, "fork data in 2 allocation blocks of 4096 bytes, from volume offset") {
			t.Errorf("detail %q", e.Detail)
		}
	}
	if len(got) != len(want) || len(v.Extras) != len(want) {
		t.Fatalf("extras %+v", v.Extras)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d bytes, want %d", k, got[k], n)
		}
	}
}

// TestDecmpfsOnUncompressedFile: a com.apple.decmpfs attribute on a
// file not flagged compressed is not its data (macOS reads the data
// fork): a place for bytes, reported.
func TestDecmpfsOnUncompressedFile(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"a": {Data: []byte("a"), Xattrs: map[string][]byte{"com.apple.decmpfs": []byte("fpmc hidden")}},
	}}))
	got := extrasOf(v, ExtraAttribute)
	if len(got) != 1 || !strings.Contains(got[0].Detail, "not flagged compressed") {
		t.Fatalf("extras %+v", v.Extras)
	}
}

// TestOrphanExtent: blocks the bitmap marks used that nothing
// references are reported with their size; zeros in free blocks are
// not.
func TestOrphanExtent(t *testing.T) {
	hidden := bytes.Repeat([]byte{0xcc}, 2*4096+1)
	img := build(t, BuildSpec{Files: sample(), Hidden: hidden, FreeData: make([]byte, 3*4096)})
	v := open(t, img)
	got := extrasOf(v, ExtraUnreferenced)
	if len(got) != 1 || len(v.Extras) != 1 || got[0].Size != 3*4096 || !bytes.Equal(img[got[0].Offset:got[0].Offset+4], hidden[:4]) {
		t.Fatalf("extras %+v", v.Extras)
	}
}

// TestForkSlack: a data fork whose extent claims one block more than
// its size needs (the catalog record rewritten) hides that block from
// the file's hash: reported as slack, not as unreferenced too.
func TestForkSlack(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a": {Data: []byte("a")}}, Hidden: []byte("hidden")})
	v := open(t, img)
	n := v.paths["a"]
	be := binary.BigEndian
	rec := n.at + 2 + int64(be.Uint16(img[n.at:]))
	f := img[rec+88:]
	be.PutUint32(f[12:], 2) // blocks
	be.PutUint32(f[20:], 2) // first extent's count
	v = open(t, img)
	got := extrasOf(v, ExtraForkSlack)
	if len(got) != 1 || len(v.Extras) != 1 || got[0].Path != "a" || got[0].Size != 4096 || string(img[got[0].Offset:got[0].Offset+6]) != "hidden" {
		t.Fatalf("extras %+v problems %v", v.Extras, v.Problems)
	}
}

func TestUnreferencedRuns(t *testing.T) {
	bm := []byte{0xff, 0x0f, 0xff, 0x80}
	r, err := unreferenced(bytes.NewReader(bm), 30, []span{{0, 2}, {4, 6}, {12, 20}}, nil)
	u := r.unused
	if err != nil {
		t.Fatal(err)
	}
	// used: 0-7, 12-23, 24; refs 0-1, 4-5, 12-19: unreferenced 2-3, 6-7, 20-24.
	if u.blocks != 2+2+5 || u.runs != 3 || u.first[2] != (span{20, 25}) {
		t.Fatalf("%+v", u)
	}
}

// TestUnreferencedMatchesNaive compares the word-wise bitmap scan with a
// bit-by-bit one on random bitmaps, block counts and references.
func TestUnreferencedMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		nb := uint64(1 + rng.IntN(2000))
		bm := make([]byte, (nb+7)/8)
		for i := range bm {
			switch rng.IntN(3) {
			case 0:
				bm[i] = 0xff
			case 1:
				bm[i] = byte(rng.Uint32())
			}
		}
		var refs []span
		for s := uint64(0); s < nb; s += uint64(1 + rng.IntN(40)) {
			e := min(nb, s+uint64(rng.IntN(20)))
			if e > s {
				refs = append(refs, span{s, e})
				s = e
			}
		}
		var want, wantFreeRef, wantFree uint64
		runs, in := 0, false
		for b := range nb {
			used := bm[b/8]&(0x80>>(b%8)) != 0
			refd := false
			for _, r := range refs {
				refd = refd || (b >= r.start && b < r.end)
			}
			switch {
			case !used && refd:
				wantFreeRef++
			case !used:
				wantFree++
			}
			hit := used && !refd
			if hit {
				want++
				if !in {
					runs++
				}
			}
			in = hit
		}
		var free uint64
		last := uint64(0)
		r, err := unreferenced(bytes.NewReader(bm), nb, refs, func(a, b uint64) {
			if a < last || b <= a {
				t.Fatalf("free run [%d, %d) after %d", a, b, last)
			}
			free += b - a
			last = b
		})
		u := r.unused
		if err != nil || u.blocks != want || u.runs != runs {
			t.Fatalf("%d blocks %x refs %v: got %+v, want %d blocks in %d runs", nb, bm, refs, u, want, runs)
		}
		if r.freeRef.blocks != wantFreeRef || free != wantFree {
			t.Fatalf("%d blocks %x refs %v: %d free referenced blocks, %d free others; want %d, %d", nb, bm, refs, r.freeRef.blocks, free, wantFreeRef, wantFree)
		}
	}
}

// TestJournalAccounted: a journaled volume's journal info block and the
// journal it locates (in the volume) are referenced; a journal shorter
// than the blocks hidden after it leaves those reported.
func TestJournalAccounted(t *testing.T) {
	for _, c := range []struct {
		name    string
		journal uint64 // bytes of journal after the info block
		left    int64  // bytes reported
	}{{"whole", 2 * 4096, 0}, {"short", 4096, 4096}} {
		t.Run(c.name, func(t *testing.T) {
			hidden := make([]byte, 3*4096)
			img := build(t, BuildSpec{Files: sample(), Hidden: hidden})
			u := extrasOf(open(t, img), ExtraUnreferenced)
			if len(u) != 1 {
				t.Fatalf("extras %+v", u)
			}
			be := binary.BigEndian
			jib := u[0].Offset
			be.PutUint32(img[jib:], 1) // in the file system
			be.PutUint64(img[jib+36:], uint64(jib+4096))
			be.PutUint64(img[jib+44:], c.journal)
			be.PutUint32(img[1024+4:], be.Uint32(img[1024+4:])|1<<13)
			be.PutUint32(img[1024+12:], uint32(jib/4096))
			v := open(t, img)
			var got int64
			for _, e := range v.Extras {
				got += e.Size
			}
			if got != c.left || len(v.Problems) > 0 {
				t.Errorf("extras %+v problems %v", v.Extras, v.Problems)
			}
		})
	}
}

// TestStartupFileReported: blocks given to the startup file (boot code,
// which a disk image has no use for) are reported as that, not as
// unreferenced.
func TestStartupFileReported(t *testing.T) {
	img := build(t, BuildSpec{Files: sample(), Hidden: []byte("boot")})
	u := extrasOf(open(t, img), ExtraUnreferenced)
	if len(u) != 1 {
		t.Fatalf("extras %+v", u)
	}
	be := binary.BigEndian
	f := img[1024+432:]
	be.PutUint64(f, 4)
	be.PutUint32(f[12:], 1)
	be.PutUint32(f[16:], uint32(u[0].Offset/4096))
	be.PutUint32(f[20:], 1)
	v := open(t, img)
	if s := extrasOf(v, ExtraStartupFile); len(s) != 1 || len(v.Extras) != 1 || s[0].Size != 4 || s[0].Offset != u[0].Offset {
		t.Fatalf("extras %+v", v.Extras)
	}
}

// TestForkSlackHardLink: slack in a hard link's target is reported once,
// under the link's path, not again for the link record.
func TestForkSlackHardLink(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"l": {Data: []byte("a"), HardLink: true}}, Hidden: []byte("hidden")})
	v := open(t, img)
	// The inode file's record holds the only data fork of the volume:
	// 1 byte, 1 block, at the block "l" reads.
	be := binary.BigEndian
	want := make([]byte, 24)
	be.PutUint64(want, 1)
	be.PutUint32(want[12:], 1)
	be.PutUint32(want[16:], v.paths["l"].exts[0].start)
	be.PutUint32(want[20:], 1)
	i := bytes.Index(img, want)
	if i < 0 || bytes.Index(img[i+1:], want) >= 0 {
		t.Fatal("the inode file's data fork is not found once")
	}
	f := img[i:]
	be.PutUint32(f[12:], 2)
	be.PutUint32(f[20:], 2)
	v = open(t, img)
	got := extrasOf(v, ExtraForkSlack)
	if len(got) != 1 || len(v.Extras) != 1 || got[0].Path != "l" {
		t.Fatalf("extras %+v problems %v", v.Extras, v.Problems)
	}
}
