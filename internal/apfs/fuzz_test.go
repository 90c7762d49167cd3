package apfs

import (
	"bytes"
	"io"
	"io/fs"
	"testing"
)

// FuzzOpen: no container makes Open or the walk of what it returns
// panic, loop or allocate without bound.
func FuzzOpen(f *testing.F) {
	for _, s := range []BuildSpec{{Files: sample()}, {Files: sample(), LeafRecords: 2}, {Files: sample(), CaseSensitive: true}} {
		b, err := Build(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxRecords: 1 << 12})
		if err != nil {
			return
		}
		fs.WalkDir(v, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if f, err := v.Open(p); err == nil {
				io.Copy(io.Discard, io.LimitReader(f.(io.Reader), 1<<20))
				f.Close()
			}
			return nil
		})
	})
}

// FuzzOpenChecksummed is FuzzOpen with every block's Fletcher-64 checksum
// recomputed after the mutation, so that mutated structures get past the
// object check and reach the B-tree, record and extent parsers. Data
// blocks are resealed too, which only changes file contents.
func FuzzOpenChecksummed(f *testing.F) {
	for _, s := range []BuildSpec{
		{Files: sample()},
		{Files: sample(), LeafRecords: 2},
		{Files: sample(), CaseSensitive: true},
		{Files: map[string]BuildFile{
			"a/x":    {Data: []byte("attributes"), Xattrs: map[string][]byte{"com.example.k": []byte("v"), "empty": nil}},
			"a/z":    {Data: bytes.Repeat([]byte("zz"), 2000), Compressed: true},
			"a/l":    {Link: "../b"},
			"a/h":    {HardLink: "a/x"},
			"b/fifo": {Mode: fs.ModeNamedPipe},
		}, LeafRecords: 3},
		// Two volumes: the second's records are parsed too.
		{Files: map[string]BuildFile{"x": {Data: []byte("1")}}, Name: "A", More: []BuildSpec{{Files: map[string]BuildFile{"y": {Data: []byte("2")}, "l": {Link: "../A/x"}}, Name: "B"}}},
		// Few blocks, nearly all metadata: mutations land in structures.
		{Files: map[string]BuildFile{"x": {Data: []byte("1"), Xattrs: map[string][]byte{"k": []byte("v")}}, "l": {Link: "x"}, "c": {Data: []byte("cc"), Compressed: true}}},
	} {
		b, err := Build(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// A space manager whose bitmaps are read.
	for _, viaCAB := range []bool{false, true} {
		b, _ := spacemanImage(f, viaCAB)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for off := 0; off+buildBS <= len(b); off += buildBS {
			blk := b[off : off+buildBS]
			le.PutUint64(blk, Fletcher64(blk))
		}
		walkAll(b)
	})
}

// walkAll opens b and walks the volume as verify does: every entry
// stat'ed, every link read, every file read (at most 1 MiB each).
func walkAll(b []byte) {
	v, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxRecords: 1 << 12})
	if err != nil {
		return
	}
	v.Paths()
	v.TotalSize()
	fs.WalkDir(v, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		d.Info()
		v.Lstat(p)
		if d.Type()&fs.ModeSymlink != 0 {
			v.ReadLink(p)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if f, err := v.Open(p); err == nil {
			io.Copy(io.Discard, io.LimitReader(f.(io.Reader), 1<<20))
			if ra, ok := f.(io.ReaderAt); ok {
				ra.ReadAt(make([]byte, 512), 1<<12)
			}
			f.Close()
		}
		return nil
	})
}
