package hfsplus

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/decmpfs"
)

// forkSample is a file of several 64 KiB chunks, the last one short.
func forkSample(seed string) []byte {
	var b []byte
	for i := 0; len(b) < 2*decmpfs.ChunkSize+777; i++ {
		b = append(b, fmt.Sprintf("%s line %d %s\n", seed, i, strings.Repeat("z", i%9))...)
	}
	return b
}

// TestDecmpfsForkTypes: files compressed with each decmpfs type, inline
// (3, 7, 11) or in the resource fork (4, 8, 12), read back as their data,
// and their forks are not listed as extras.
func TestDecmpfsForkTypes(t *testing.T) {
	files := map[string]BuildFile{}
	want := map[string][]byte{}
	for _, typ := range []uint32{3, 4, 7, 8, 11, 12} {
		d := forkSample(fmt.Sprint("type ", typ))
		if typ%2 == 1 {
			d = d[:1500] // an inline attribute record holds at most 2048 bytes
		}
		p := fmt.Sprintf("t%d", typ)
		files[p], want[p] = BuildFile{Data: d, Compressed: true, CompressType: typ}, d
	}
	v := open(t, build(t, BuildSpec{Files: files}))
	for p, d := range want {
		if b, err := fs.ReadFile(v, p); err != nil || !bytes.Equal(b, d) {
			t.Errorf("%s: %d bytes, %v", p, len(b), err)
		}
	}
	if len(v.Skipped) != 0 || len(v.Problems) != 0 || len(v.Extras) != 0 {
		t.Errorf("skipped %v, problems %v, extras %v", v.Skipped, v.Problems, v.Extras)
	}
}

// TestDecmpfsForkTampered: a byte of a zlib chunk in the resource fork
// changed, the file is not read and is Skipped as Compressed, naming
// the chunk.
func TestDecmpfsForkTampered(t *testing.T) {
	d := forkSample("tampered")
	_, fork := decmpfs.Encode(4, d)
	img := build(t, BuildSpec{Files: map[string]BuildFile{"tool": {Data: d, Compressed: true, CompressType: 4}}})
	at := bytes.Index(img, fork)
	if at < 0 {
		t.Fatal("fork not found")
	}
	img[at+len(fork)-100] ^= 0x55
	v := open(t, img)
	if b, err := fs.ReadFile(v, "tool"); err == nil {
		t.Errorf("read %d bytes", len(b))
	}
	if len(v.Skipped) != 1 || !v.Skipped[0].Compressed || !strings.Contains(v.Skipped[0].Reason, "chunk 2") {
		t.Errorf("skipped %+v", v.Skipped)
	}
}

// TestDecmpfsUndecodedTypes: types 5 (dataless) and 14 (LZBITMAP) are
// Skipped as Compressed, never read as empty.
func TestDecmpfsUndecodedTypes(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"dataless": {Data: []byte("x"), Compressed: true, CompressType: 5},
		"lzbitmap": {Data: []byte("x"), Compressed: true, CompressType: 14, Rsrc: []byte("bitmap chunks")},
	}}))
	if len(v.Skipped) != 2 || !v.Skipped[0].Compressed || !v.Skipped[1].Compressed {
		t.Errorf("skipped %+v", v.Skipped)
	}
}

// TestMaxInlineHFS: compressed files past Options.MaxInline are Skipped.
func TestMaxInlineHFS(t *testing.T) {
	d := forkSample("budget")
	img := build(t, BuildSpec{Files: map[string]BuildFile{
		"a": {Data: d, Compressed: true, CompressType: 8},
		"b": {Data: d, Compressed: true, CompressType: 12},
	}})
	v, err := Open(bytes.NewReader(img), int64(len(img)), Options{MaxInline: int64(len(d)) + 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Skipped) != 1 || !strings.Contains(v.Skipped[0].Reason, "limit") {
		t.Errorf("skipped %+v", v.Skipped)
	}
}
