package dmg

import (
	"bytes"
	"compress/zlib"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// volume returns bytes that look like an HFS+ volume: zeros up to 1024,
// then "H+" and a pattern, long enough for several chunks.
func volume(n int) []byte {
	v := make([]byte, n)
	copy(v[1024:], "H+")
	for i := 1026; i < n; i++ {
		v[i] = byte(i * 31 >> 7)
	}
	return v
}

func openFS(t *testing.T, img []byte, opts PartitionOptions) (*PartitionReader, error) {
	t.Helper()
	im, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	idx, ok := im.FileSystemPartition()
	if !ok {
		t.Fatal("no file system partition")
	}
	return im.OpenPartition(idx, opts)
}

// TestPartitionReaderChunkMix reads back a volume stored as bzip2,
// zero-fill, zlib and raw chunks, across chunk boundaries.
func TestPartitionReaderChunkMix(t *testing.T) {
	t.Parallel()
	vol := volume(5*1024*1024 + 4096)
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol, HFSBzip2: true})
	pr, err := openFS(t, img, PartitionOptions{CacheBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if pr.FileSystem() != "HFS+" {
		t.Errorf("file system %q", pr.FileSystem())
	}
	types := map[uint32]bool{}
	for _, c := range pr.Partition().Chunks {
		types[c.Type] = true
	}
	for _, ty := range []uint32{ChunkBzip2, ChunkZeroFill, ChunkZlib, ChunkRaw} {
		if !types[ty] {
			t.Errorf("no %s chunk", TypeName(ty))
		}
	}
	got := make([]byte, len(vol))
	if n, err := pr.ReadAt(got, 0); n != len(vol) || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	if !bytes.Equal(got[:512], dmgfile.BzipSector) || !bytes.Equal(got[1024:], vol[1024:]) {
		t.Error("decoded partition differs from the volume")
	}
	b := make([]byte, 10000)
	off := int64(2048*512 + 1024 - 5000) // across the first zlib chunk's end
	if _, err := pr.ReadAt(b, off); err != nil || !bytes.Equal(b, vol[off:off+10000]) {
		t.Errorf("ReadAt across chunks: %v", err)
	}
}

// TestPartitionUnsupportedChunk: a partition holding a chunk of a type no
// codec has is not opened.
func TestPartitionUnsupportedChunk(t *testing.T) {
	t.Parallel()
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: volume(64 << 10), LZFSE: true, UnknownChunk: true})
	_, err := openFS(t, img, PartitionOptions{})
	var ne *NotOpenedError
	if !errors.As(err, &ne) || ne.Type != 0x80000009 {
		t.Fatalf("got %v", err)
	}
}

// TestPartitionExpansionBudget: decoding stops at the budget.
func TestPartitionExpansionBudget(t *testing.T) {
	t.Parallel()
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: volume(3 << 20)})
	left := int64(1 << 20)
	pr, err := openFS(t, img, PartitionOptions{Take: func(n int64) bool {
		if n > left {
			return false
		}
		left -= n
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3<<20)
	if _, err := pr.ReadAt(b, 0); !errors.Is(err, ErrExpansion) {
		t.Fatalf("got %v", err)
	}
}

// TestPartitionHostileZeroFill: a zero-fill chunk of a billion sectors
// (512 GiB) is read without allocating it.
func TestPartitionHostileZeroFill(t *testing.T) {
	t.Parallel()
	img, _ := dmgfile.Build(dmgfile.Spec{ZeroSectors: 1 << 30})
	im, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := im.FileSystemPartition()
	pr, err := im.OpenPartition(idx, PartitionOptions{Take: func(int64) bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Repeat([]byte{1}, 4096)
	if _, err := pr.ReadAt(b, pr.Size()/2); err != nil || !bytes.Equal(b, make([]byte, 4096)) {
		t.Errorf("reading zero-fill: %v", err)
	}
}

// FuzzOpenPartition opens every partition of arbitrary images and reads
// them through: no panic, no allocation past one chunk.
func FuzzOpenPartition(f *testing.F) {
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: volume(40 << 10), HFSBzip2: true})
	f.Add(img)
	img, _ = dmgfile.Build(dmgfile.Spec{HFS: volume(8 << 10), LZFSE: true})
	f.Add(img)
	img, _ = dmgfile.Build(dmgfile.Spec{HFS: volume(40 << 10), LZFSEChunks: true})
	f.Add(img)
	img, _ = dmgfile.Build(dmgfile.Spec{HFS: volume(40 << 10), ADC: true})
	f.Add(img)
	img, _ = dmgfile.Build(dmgfile.Spec{HFS: volume(40 << 10), LZMA: true})
	f.Add(img)
	img, _ = dmgfile.Build(dmgfile.Spec{})
	f.Add(img)
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		buf := make([]byte, 64<<10)
		for _, p := range im.Partitions {
			budget := int64(16 << 20)
			pr, err := im.OpenPartition(p.Index, PartitionOptions{Take: func(n int64) bool {
				budget -= n
				return budget >= 0
			}})
			if err != nil {
				continue
			}
			pr.FileSystem()
			for off := int64(0); off < pr.Size(); {
				end, _ := pr.Span(off)
				if end <= off {
					t.Fatalf("Span(%d) = %d inside the partition of %d bytes", off, end, pr.Size())
				}
				off = end
			}
			for off := int64(0); off < min(pr.Size(), 1<<20); off += int64(len(buf)) {
				if _, err := pr.ReadAt(buf, off); err != nil {
					break
				}
			}
		}
	})
}

// TestPartitionClaimedSizeNotAllocated: a zlib chunk whose table claims
// the largest chunk (64 MiB) but which decodes to one sector is an error,
// and does not make the reader allocate what the table claims.
func TestPartitionClaimedSizeNotAllocated(t *testing.T) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(make([]byte, 512))
	w.Close()
	data := append(z.Bytes(), make([]byte, KolySize)...)
	im := &Image{r: bytes.NewReader(data), size: int64(len(data)), Koly: &Koly{},
		Partitions: []Partition{{Sectors: maxChunkSectors, Chunks: []Chunk{{Type: ChunkZlib, Sectors: maxChunkSectors, Length: int64(z.Len())}}}}}
	pr, err := im.OpenPartition(0, PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = pr.ReadAt(make([]byte, 16), 0)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "decodes to 512 bytes") {
		t.Errorf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("allocated %d bytes for a 512-byte stream", n)
	}
}

// TestPartitionSpan: Span gives each chunk's end, says zero for
// zero-fill chunks only (whose bytes read as zeros) and nothing out of
// the partition; it decodes nothing (no budget is taken).
func TestPartitionSpan(t *testing.T) {
	t.Parallel()
	vol := volume(5*1024*1024 + 4096)
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol, HFSBzip2: true})
	pr, err := openFS(t, img, PartitionOptions{Take: func(int64) bool { t.Error("Span decoded a chunk"); return false }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pr.chunks {
		start := int64(c.Sector) * SectorSize
		for _, off := range []int64{start, start + int64(c.Sectors)*SectorSize - 1} {
			end, zero := pr.Span(off)
			if end != int64(c.Sector+c.Sectors)*SectorSize || zero != (c.Type == ChunkZeroFill || c.Type == ChunkIgnore) {
				t.Errorf("Span(%d) = %d, %v for a %s chunk of sectors [%d, +%d)", off, end, zero, TypeName(c.Type), c.Sector, c.Sectors)
			}
		}
	}
	for _, off := range []int64{-1, pr.Size()} {
		if end, zero := pr.Span(off); end > off || zero {
			t.Errorf("Span(%d) = %d, %v", off, end, zero)
		}
	}
}
