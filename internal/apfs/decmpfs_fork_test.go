package apfs

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// TestDecmpfsForkTypes: files compressed with each decmpfs type, inline
// (3, 7, 11) or in an inline com.apple.ResourceFork attribute (4, 8,
// 12), read back as their data, and the forks decoded are not listed as
// attributes.
func TestDecmpfsForkTypes(t *testing.T) {
	files := map[string]BuildFile{}
	want := map[string][]byte{}
	for _, typ := range []uint32{3, 4, 7, 8, 11, 12} {
		d := bytes.Repeat([]byte(fmt.Sprintf("type %d data; ", typ)), 200)
		p := fmt.Sprintf("t%d", typ)
		files[p], want[p] = BuildFile{Data: d, Compressed: true, CompressType: typ}, d
	}
	v := open(t, build(t, BuildSpec{Files: files}))
	for p, d := range want {
		if b, err := fs.ReadFile(v, p); err != nil || !bytes.Equal(b, d) {
			t.Errorf("%s: %d bytes, %v", p, len(b), err)
		}
	}
	if len(v.Skipped) != 0 || len(v.Problems) != 0 || len(v.Attributes) != 0 {
		t.Errorf("skipped %v, problems %v, attributes %v", v.Skipped, v.Problems, v.Attributes)
	}
}

// TestDecmpfsForkTampered: a resource fork whose LZFSE chunk is
// damaged, and types 5 (dataless) and 14 (LZBITMAP), leave the file
// Skipped as Compressed, never read.
func TestDecmpfsForkTampered(t *testing.T) {
	d := bytes.Repeat([]byte("lzfse data "), 100)
	bad := func(recs []rec) []rec {
		for i, r := range recs {
			if le.Uint64(r.k)>>typeShift == recXattr && bytes.Contains(r.k, []byte(xattrRsrc)) {
				recs[i].v = bytes.Clone(r.v)
				recs[i].v[len(r.v)-6] ^= 0x5a // inside the end-of-stream block
			}
		}
		return recs
	}
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"tool":     {Data: d, Compressed: true, CompressType: 12},
		"dataless": {Data: d, Compressed: true, CompressType: 5},
		"lzbitmap": {Data: d, Compressed: true, CompressType: 14, Xattrs: map[string][]byte{xattrRsrc: []byte("bitmap")}},
	}, edit: bad}))
	got := fmt.Sprint(v.Skipped)
	if len(v.Skipped) != 3 || !strings.Contains(got, "tool") || !strings.Contains(got, "chunk 0") {
		t.Errorf("skipped %s", got)
	}
	for _, s := range v.Skipped {
		if !s.Compressed {
			t.Errorf("%s not marked Compressed", s.Path)
		}
	}
}

// TestDecmpfsForkStream: resource forks too large for their attribute
// record, kept in a data stream, are read through its extents and
// decoded (of several chunks); their blocks are owned, not unaccounted.
func TestDecmpfsForkStream(t *testing.T) {
	var d []byte
	for i := 0; len(d) < 150000; i++ {
		d = append(d, fmt.Sprintf("stream line %d %s\n", i*i%9973, strings.Repeat("q", i%13))...)
	}
	files := map[string]BuildFile{}
	for _, typ := range []uint32{4, 8, 12} {
		files[fmt.Sprintf("t%d", typ)] = BuildFile{Data: d, Compressed: true, CompressType: typ}
	}
	v := open(t, build(t, BuildSpec{Files: files}))
	for p := range files {
		if b, err := fs.ReadFile(v, p); err != nil || !bytes.Equal(b, d) {
			t.Errorf("%s: %d bytes, %v", p, len(b), err)
		}
	}
	if len(v.Skipped) != 0 || len(v.Problems) != 0 || len(v.Attributes) != 0 {
		t.Errorf("skipped %v, problems %v, attributes %v", v.Skipped, v.Problems, v.Attributes)
	}
}
