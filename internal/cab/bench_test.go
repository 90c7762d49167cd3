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

// BenchmarkLZXWalk decompresses 8 MiB of x86-like bytes (lzxSample)
// through Walk from an LZX cabinet the test's encoder wrote (window 2^21,
// E8 translation, verbatim and aligned blocks) and, beside it, from an
// MSZIP cabinet of the same bytes: the LZX decoder's cost against
// compress/flate's (reported per uncompressed byte).
func BenchmarkLZXWalk(b *testing.B) {
	data := lzxSample(8<<20, 11)
	files := []BuildFile{{Name: "a.dll", Data: data}}
	cabs := map[string][]byte{
		"lzx":   lzxCab(files, lzxEncOpts{window: 21, e8: 12 << 20, types: []int{lzxVerbatim, lzxAligned}, blockSize: 1 << 18}),
		"mszip": Build(files, BuildOptions{Method: MethodMSZIP}),
	}
	for i := 0; i < 2; i++ {
		for _, name := range []string{"lzx", "mszip"} {
			c := cabs[name]
			b.Run(name, func(b *testing.B) {
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
			})
		}
	}
}
