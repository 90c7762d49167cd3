package dmg

import (
	"bytes"
	"compress/bzip2"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// DefaultCacheBytes is the decoded chunk data a PartitionReader keeps when
// PartitionOptions.CacheBytes is zero.
const DefaultCacheBytes = 16 << 20

// PartitionOptions bounds a PartitionReader. The zero value is usable.
type PartitionOptions struct {
	// Take charges n decoded bytes against an expansion budget and reports
	// whether they were left; every chunk decode is charged (a chunk
	// dropped from the cache and decoded again is charged again). Nil
	// charges nothing.
	Take func(n int64) bool
	// CacheBytes bounds the decoded chunks kept; zero means
	// DefaultCacheBytes. One chunk is always kept.
	CacheBytes int64
}

// NotOpenedError results when a partition holds chunks of a type no
// decoder here reads (LZFSE, or an unknown type).
type NotOpenedError struct {
	Partition int
	Chunk     int
	Type      uint32
	// Offset is the chunk's data's offset in the file.
	Offset int64
}

func (e *NotOpenedError) Error() string {
	return fmt.Sprintf("dmg: partition %d chunk %d is %s-compressed (data at %#x), which is not decoded", e.Partition, e.Chunk, TypeName(e.Type), e.Offset)
}

// ErrExpansion results when decoding a chunk would pass the expansion
// budget of PartitionOptions.Take.
var ErrExpansion = errors.New("dmg: the image's chunks expand past the expansion budget")

// PartitionReader reads a partition's decoded sectors: an io.ReaderAt
// safe for concurrent use, decoding raw, zlib, bzip2, ADC and LZMA chunks on demand
// and keeping recently used ones.
type PartitionReader struct {
	im     *Image
	p      *Partition
	chunks []Chunk // data chunks, by sector
	size   int64
	opts   PartitionOptions

	mu     sync.Mutex
	cache  map[int][]byte
	order  []int // cached chunk indexes, least recently used first
	cached int64
}

// OpenPartition returns a reader of the decoded sectors of the partition
// whose blkx index is index. It checks before anything is decoded that the
// partition's chunks follow each other and cover its sectors, lie in the
// file and are no larger than one chunk may be; it returns a
// *NotOpenedError when a chunk's codec is not decoded here, and a
// *FormatError when the table is inconsistent.
func (im *Image) OpenPartition(index int, opts PartitionOptions) (*PartitionReader, error) {
	var p *Partition
	for i := range im.Partitions {
		if im.Partitions[i].Index == index {
			p = &im.Partitions[i]
		}
	}
	if p == nil {
		return nil, fmt.Errorf("dmg: no partition %d", index)
	}
	xmlAt := int64(im.Koly.XMLOffset)
	body := im.size - KolySize
	var chunks []Chunk
	next := uint64(0)
	for j, c := range p.Chunks {
		switch c.Type {
		case ChunkComment:
			continue
		case ChunkTerminator:
			if j != len(p.Chunks)-1 {
				return nil, &FormatError{Offset: xmlAt, Reason: fmt.Sprintf("partition %d: chunk %d follows the terminator", index, j+1)}
			}
			continue
		case ChunkZeroFill, ChunkIgnore:
		case ChunkRaw, ChunkZlib, ChunkBzip2, ChunkADC, ChunkLZMA, ChunkLZFSE:
			if !inFile(uint64(c.Offset), uint64(c.Length), body) {
				return nil, &FormatError{Offset: xmlAt, Reason: fmt.Sprintf("partition %d chunk %d: data [%#x, +%#x) runs past the image", index, j, c.Offset, c.Length)}
			}
			if c.Sectors > maxChunkSectors {
				return nil, &FormatError{Offset: c.Offset, Reason: fmt.Sprintf("partition %d chunk %d: %d sectors, over the limit of %d for one chunk", index, j, c.Sectors, maxChunkSectors)}
			}
			if c.Type == ChunkRaw && c.Length != int64(c.Sectors)*SectorSize {
				return nil, &FormatError{Offset: c.Offset, Reason: fmt.Sprintf("partition %d chunk %d: raw chunk holds %d bytes for %d sectors", index, j, c.Length, c.Sectors)}
			}
		default:
			return nil, &NotOpenedError{Partition: index, Chunk: j, Type: c.Type, Offset: c.Offset}
		}
		if c.Sector != next {
			return nil, &FormatError{Offset: xmlAt, Reason: fmt.Sprintf("partition %d chunk %d starts at sector %d, want %d", index, j, c.Sector, next)}
		}
		next = c.Sector + c.Sectors
		if c.Sectors > 0 {
			chunks = append(chunks, c)
		}
	}
	if next != p.Sectors {
		return nil, &FormatError{Offset: xmlAt, Reason: fmt.Sprintf("partition %d: chunks cover %d sectors, the table says %d", index, next, p.Sectors)}
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	return &PartitionReader{im: im, p: p, chunks: chunks, size: int64(p.Sectors) * SectorSize, opts: opts, cache: map[int][]byte{}}, nil
}

// Size returns the partition's decoded size in bytes.
func (pr *PartitionReader) Size() int64 { return pr.size }

// Partition returns the partition read.
func (pr *PartitionReader) Partition() *Partition { return pr.p }

// ReadAt reads decoded bytes of the partition.
func (pr *PartitionReader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("dmg: partition %d: negative offset %d", pr.p.Index, off)
	}
	n := 0
	for n < len(b) {
		at := off + int64(n)
		if at >= pr.size {
			return n, io.EOF
		}
		sector := uint64(at / SectorSize)
		i := sort.Search(len(pr.chunks), func(i int) bool { return pr.chunks[i].Sector+pr.chunks[i].Sectors > sector })
		c := pr.chunks[i]
		start := int64(c.Sector) * SectorSize
		end := start + int64(c.Sectors)*SectorSize
		want := min(int64(len(b)-n), end-at)
		if c.Type == ChunkZeroFill || c.Type == ChunkIgnore {
			clear(b[n : n+int(want)])
			n += int(want)
			continue
		}
		data, err := pr.chunk(i)
		if err != nil {
			return n, err
		}
		n += copy(b[n:n+int(want)], data[at-start:])
	}
	return n, nil
}

// Span returns the end of the chunk holding the partition's byte off, and
// whether it is a zero-fill or ignored chunk, which reads as zeros
// without being decoded (hfsplus.ZeroSpanner). An end not past off (off
// out of the partition) says nothing.
func (pr *PartitionReader) Span(off int64) (end int64, zero bool) {
	if off < 0 || off >= pr.size {
		return off, false
	}
	sector := uint64(off / SectorSize)
	i := sort.Search(len(pr.chunks), func(i int) bool { return pr.chunks[i].Sector+pr.chunks[i].Sectors > sector })
	if i == len(pr.chunks) {
		return off, false
	}
	c := pr.chunks[i]
	return int64(c.Sector+c.Sectors) * SectorSize, c.Type == ChunkZeroFill || c.Type == ChunkIgnore
}

// chunk returns the decoded data of data chunk i.
func (pr *PartitionReader) chunk(i int) ([]byte, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if d, ok := pr.cache[i]; ok {
		for k, j := range pr.order {
			if j == i {
				pr.order = append(append(pr.order[:k:k], pr.order[k+1:]...), i)
				break
			}
		}
		return d, nil
	}
	c := pr.chunks[i]
	want := int64(c.Sectors) * SectorSize
	// A zlib chunk is charged as it inflates (inflateCharged); the others
	// before they are decoded.
	if c.Type != ChunkZlib && pr.opts.Take != nil && !pr.opts.Take(chunkCost(pr.im.r, c, want)) {
		return nil, fmt.Errorf("partition %d chunk at sector %d (data at %#x): %w", pr.p.Index, c.Sector, c.Offset, ErrExpansion)
	}
	d, err := pr.decode(c, want)
	if errors.Is(err, ErrExpansion) {
		return nil, fmt.Errorf("partition %d chunk at sector %d (data at %#x): %w", pr.p.Index, c.Sector, c.Offset, err)
	}
	if err != nil {
		return nil, &FormatError{Offset: c.Offset, Reason: fmt.Sprintf("partition %d: %s chunk at sector %d does not decode: %v", pr.p.Index, TypeName(c.Type), c.Sector, err)}
	}
	for len(pr.order) > 0 && pr.cached+want > pr.opts.CacheBytes {
		old := pr.order[0]
		pr.order = pr.order[1:]
		pr.cached -= int64(len(pr.cache[old]))
		delete(pr.cache, old)
	}
	pr.cache[i] = d
	pr.order = append(pr.order, i)
	pr.cached += want
	return d, nil
}

func (pr *PartitionReader) decode(c Chunk, want int64) ([]byte, error) {
	src := io.NewSectionReader(pr.im.r, c.Offset, c.Length)
	if c.Type == ChunkRaw {
		d := make([]byte, want) // as many bytes as the file holds
		if _, err := io.ReadFull(src, d); err != nil {
			return nil, err
		}
		return d, nil
	}
	if read := wholeChunkReader(c.Type); read != nil {
		return read(src, c.Length, want)
	}
	var r io.Reader
	switch c.Type {
	case ChunkZlib:
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, err
		}
		r = zr
	case ChunkBzip2:
		r = bzip2.NewReader(src)
	}
	// The buffer grows with what the stream really decodes to, not with
	// what the table claims: a few bytes claiming 64 MiB allocate little.
	var buf bytes.Buffer
	buf.Grow(int(min(want, 64<<10+8*c.Length)))
	if c.Type == ChunkZlib {
		return inflateCharged(&buf, r, want, pr.opts.Take, &pr.im.zeroCredit)
	}
	n, err := io.CopyN(&buf, r, want)
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("it decodes to %d bytes, want %d", n, want)
	case err != nil:
		return nil, err
	}
	return buf.Bytes(), nil
}

// FileSystem names the file system at the start of the decoded partition
// read by pr (DetectFileSystem: "HFS+", "APFS", "FAT"…), or "".
func (pr *PartitionReader) FileSystem() string { return DetectFileSystem(pr) }

// FileSystemPartition returns the blkx index of the partition that holds
// the image's file system: the one named Apple_HFS, Apple_HFSX or
// Apple_APFS, else the first whose name says nothing of a partition map or
// free space. ok is false when there is none.
func (im *Image) FileSystemPartition() (index int, ok bool) {
	for _, p := range im.Partitions {
		for _, t := range []string{"Apple_HFS", "Apple_HFSX", "Apple_APFS"} {
			if strings.Contains(p.Name, "("+t+" ") || strings.Contains(p.Name, "("+t+":") || p.Name == t {
				return p.Index, true
			}
		}
	}
	for _, p := range im.Partitions {
		if p.Sectors < 3 {
			continue
		}
		switch n := p.Name; {
		case strings.Contains(n, "Apple_Free"), strings.Contains(n, "Master Boot Record"), strings.Contains(n, "GPT"),
			strings.Contains(n, "Apple_partition_map"), strings.Contains(n, "DDM"), bytes.Contains([]byte(n), []byte("Driver")):
			continue
		}
		return p.Index, true
	}
	return 0, false
}
