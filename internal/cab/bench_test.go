package cab

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"
)

// benchData is 32 MiB, half incompressible, half text.
func benchData() []byte {
	rnd := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 16<<20)
	for i := range b {
		b[i] = byte(rnd.Uint32())
	}
	return append(b, bytes.Repeat([]byte("a line of text in a cabinet file\n"), (16<<20)/33)...)
}

// BenchmarkWalk decompresses a 32 MiB MSZIP cabinet through Walk
// (reported per uncompressed byte); BenchmarkSHA256 hashes the same bytes,
// the cost the walker adds per file anyway.
func BenchmarkWalk(b *testing.B) {
	data := benchData()
	c := Build([]BuildFile{{Name: "a.bin", Data: data}}, BuildOptions{Method: MethodMSZIP})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(c), int64(len(c)))
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Walk(func(f *File, r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSHA256(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sha256.Sum256(data)
	}
}
