package cab

import (
	"bytes"
	stdflate "compress/flate"
	"io"
	"math/rand/v2"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// BenchmarkInflate measures raw inflate speed on this machine, per
// uncompressed byte, of the deflate streams MSZIP blocks carry (32 KiB
// each, the previous block's output as dictionary), for random bytes (as
// BenchmarkMSIVsSHA256's files) and for text, with compress/flate
// ("std") and github.com/klauspost/compress/flate ("klauspost"): the
// floor an MSZIP cabinet's walk cannot go below, since a folder's blocks
// are decoded one after the other.
func BenchmarkInflate(b *testing.B) {
	rnd := rand.New(rand.NewPCG(5, 6))
	random := make([]byte, 8<<20)
	for i := range random {
		random[i] = byte(rnd.Uint32())
	}
	text := bytes.Repeat([]byte("a line of text in a cabinet file, number 12345\n"), (8<<20)/47)
	for _, in := range []struct {
		name string
		data []byte
	}{{"random", random}, {"text", text}} {
		blocks := deflateBlocks(b, in.data)
		for _, impl := range []string{"std", "klauspost"} {
			b.Run(in.name+"/"+impl, func(b *testing.B) {
				b.SetBytes(int64(len(in.data)))
				out := make([]byte, maxBlockUncomp)
				for b.Loop() {
					var fr io.ReadCloser
					var window []byte
					for i, blk := range blocks {
						src := bytes.NewReader(blk)
						switch {
						case impl == "std" && fr == nil:
							fr = stdflate.NewReader(src)
						case fr == nil:
							fr = kflate.NewReader(src)
						}
						fr.(stdflate.Resetter).Reset(src, window)
						n := min(maxBlockUncomp, len(in.data)-i*maxBlockUncomp)
						if _, err := io.ReadFull(fr, out[:n]); err != nil {
							b.Fatal(err)
						}
						window = out[:n]
					}
				}
			})
		}
	}
}

// deflateBlocks compresses data in 32 KiB blocks as MSZIP does, each with
// the previous block as dictionary.
func deflateBlocks(b *testing.B, data []byte) [][]byte {
	var blocks [][]byte
	var prev []byte
	for off := 0; off < len(data); off += maxBlockUncomp {
		blk := data[off:min(off+maxBlockUncomp, len(data))]
		var buf bytes.Buffer
		w, err := stdflate.NewWriterDict(&buf, stdflate.DefaultCompression, prev)
		if err != nil {
			b.Fatal(err)
		}
		w.Write(blk)
		w.Close()
		blocks = append(blocks, buf.Bytes())
		prev = blk
	}
	return blocks
}

// BenchmarkChecksum is the CFDATA checksum of a 32 KiB block.
func BenchmarkChecksum(b *testing.B) {
	data := make([]byte, maxBlockUncomp)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		checksum(data, 0)
	}
}
