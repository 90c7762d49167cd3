package hfsplus

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkOpenManyFiles opens a volume of 2000 files and 64 MiB of free
// blocks: catalog, attributes and the block accounting, the free blocks
// read (a plain reader) or skipped (ZeroSpanner: a disk image, whose
// chunks of 1 MiB holding only zeros are zero-fill).
func BenchmarkOpenManyFiles(b *testing.B) {
	files := map[string]BuildFile{}
	for i := range 2000 {
		files[fmt.Sprintf("App.app/Contents/Resources/%04d.txt", i)] = BuildFile{Data: bytes.Repeat([]byte{byte(i)}, 1+i%5000)}
	}
	img, err := Build(BuildSpec{Files: files, FreeData: make([]byte, 64<<20)})
	if err != nil {
		b.Fatal(err)
	}
	zr := &zeroChunks{Reader: bytes.NewReader(img)}
	for off := 0; off < len(img); off += 1 << 20 {
		zr.zero = append(zr.zero, firstNonZero(img[off:min(len(img), off+1<<20)]) < 0)
	}
	for _, c := range []struct {
		name string
		r    io.ReaderAt
	}{{"Reader", bytes.NewReader(img)}, {"ZeroSpanner", zr}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(img)))
			for b.Loop() {
				v, err := Open(c.r, int64(len(img)), Options{})
				if err != nil || len(v.Extras) > 0 {
					b.Fatal(err, v.Extras)
				}
			}
		})
	}
}

// zeroChunks is a reader of 1 MiB chunks, which it knows to be zeros or
// not, as a disk image knows its zero-fill chunks.
type zeroChunks struct {
	*bytes.Reader
	zero []bool
}

func (z *zeroChunks) Span(off int64) (int64, bool) {
	i := off >> 20
	if off < 0 || i >= int64(len(z.zero)) {
		return off, false
	}
	return min((i+1)<<20, z.Size()), z.zero[i]
}

// BenchmarkUnreferenced streams the bitmap of a 1 TiB volume of 4 KiB
// blocks (2^28 blocks, 32 MiB of bitmap): all used and referenced in
// 100000 extents (runs of whole bytes), then alternating bits (the slow
// path, every bit looked at).
func BenchmarkUnreferenced(b *testing.B) {
	const n = 1 << 28
	for _, c := range []struct {
		name string
		fill byte
	}{{"used", 0xff}, {"alternating", 0xaa}} {
		b.Run(c.name, func(b *testing.B) {
			bm := bytes.Repeat([]byte{c.fill}, n/8)
			var refs []span
			step := uint64(n / 100000)
			for s := uint64(0); s < n; s += step {
				refs = append(refs, span{s, min(s+step, n)})
			}
			b.ReportAllocs()
			b.SetBytes(n / 8)
			for b.Loop() {
				u, err := unreferenced(bytes.NewReader(bm), n, refs, nil)
				if err != nil || (c.fill == 0xff && u.unused.blocks != 0) {
					b.Fatal(err, u)
				}
			}
		})
	}
}
