package asar

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// BenchmarkNewReader30k parses the header of an archive of 30,000 files.
func BenchmarkNewReader30k(b *testing.B) {
	var files []electronfix.AsarFile
	for i := range 30000 {
		files = append(files, electronfix.AsarFile{
			Path: fmt.Sprintf("node_modules/pkg%d/lib/file%d.js", i/20, i%20),
			Data: []byte(fmt.Sprintf("module.exports = %d\n", i)),
		})
	}
	arc, _ := electronfix.PackAsar(files)
	b.SetBytes(int64(len(arc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewReader(bytes.NewReader(arc), int64(len(arc))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFile hashes a 16 MiB file and its 4 MiB blocks.
func BenchmarkVerifyFile(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "big.bin", Data: data}})
	ar, err := NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ar.VerifyFile("big.bin"); err != nil {
			b.Fatal(err)
		}
	}
}
