package hfsplus

import (
	"bytes"
	"io"
	"io/fs"
	"testing"
)

// FuzzOpen opens arbitrary volumes and reads every file they list: no
// panic, no unbounded allocation.
func FuzzOpen(f *testing.F) {
	seed := func(s BuildSpec) {
		img, err := Build(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(img)
	}
	seed(BuildSpec{Files: sample()})
	seed(BuildSpec{Files: sample(), NodeSize: 512})
	seed(manyFiles()) // a catalog of several index levels
	seed(BuildSpec{Files: map[string]BuildFile{"big": {Data: make([]byte, 12*4096)}}, Fragment: true})
	seed(BuildSpec{Files: map[string]BuildFile{
		"a": {Data: []byte("a"), Rsrc: []byte("rsrc"), Xattrs: map[string][]byte{"com.example.x": []byte("x"), "com.example.big": make([]byte, 3000)}},
		"z": {Compressed: true, Rsrc: []byte("compressed")},
	}, Hidden: []byte("hidden"), FreeData: []byte("free")})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxRecords: 10000})
		if err != nil {
			return
		}
		fs.WalkDir(v, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				v.ReadLink(p)
				return nil
			}
			if r, err := v.Open(p); err == nil {
				io.Copy(io.Discard, r)
				r.Close()
			}
			return nil
		})
	})
}
