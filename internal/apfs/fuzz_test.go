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
