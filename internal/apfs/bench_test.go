package apfs

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkOpen opens a container of 600 small files in 30 folders (about 40 tree nodes).
func BenchmarkOpen(b *testing.B) {
	files := map[string]BuildFile{}
	for i := range 600 {
		files[fmt.Sprintf("d%02d/f%04d", i%30, i)] = BuildFile{Data: []byte{byte(i)}}
	}
	img := build(b, BuildSpec{Files: files, LeafRecords: 0})
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(bytes.NewReader(img), int64(len(img)), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
