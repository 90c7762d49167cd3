package decmpfs

import (
	"encoding/binary"
	"fmt"
)

// The resource fork of a compressed file holds its chunks, each the
// compression of ChunkSize bytes of the file (the last of what is left),
// found through a table:
//
//   - type 4 (zlib): a classic resource fork. Its 16-byte header, big
//     endian, gives the offset of the resource data; there, after a
//     big-endian uint32 length, the "cmpf" resource's data starts: a
//     little-endian uint32 count of chunks, then per chunk a
//     little-endian uint32 offset (from the start of that resource data)
//     and uint32 size.
//   - types 8 (LZVN) and 12 (LZFSE): the fork starts with count+1
//     little-endian uint32 offsets from its start; chunk i lies between
//     offsets i and i+1, and the first offset is the table's own size.
//
// Every chunk must lie in the fork, and there must be exactly as many as
// the file's size needs.

// chunks returns how many chunks hold size bytes.
func chunks(size int) int { return (size + ChunkSize - 1) / ChunkSize }

// zlibFork decodes size bytes from a type 4 resource fork.
func zlibFork(fork []byte, size int) ([]byte, error) {
	be, le := binary.BigEndian, binary.LittleEndian
	if len(fork) < 16 {
		return nil, fmt.Errorf("a fork of %d bytes, shorter than its 16-byte header", len(fork))
	}
	dataOff, dataLen := uint64(be.Uint32(fork)), uint64(be.Uint32(fork[8:]))
	if dataOff > uint64(len(fork)) || dataLen > uint64(len(fork))-dataOff || dataLen < 8 {
		return nil, fmt.Errorf("resource data of %d bytes at offset %#x, outside the fork of %d bytes", dataLen, dataOff, len(fork))
	}
	data := fork[dataOff : dataOff+dataLen]
	resLen := uint64(be.Uint32(data))
	if resLen > uint64(len(data))-4 {
		return nil, fmt.Errorf("a cmpf resource of %d bytes at offset %#x, past the resource data", resLen, dataOff)
	}
	res := data[4 : 4+resLen]
	base := dataOff + 4
	if len(res) < 4 {
		return nil, fmt.Errorf("a cmpf resource of %d bytes at offset %#x, without its chunk count", len(res), base)
	}
	n := uint64(le.Uint32(res))
	if n != uint64(chunks(size)) || n*8 > uint64(len(res))-4 {
		return nil, fmt.Errorf("a block table of %d chunks at offset %#x, not the %d its size of %d bytes needs in %d bytes", n, base, chunks(size), size, len(res))
	}
	out, d := make([]byte, size), new(decoder)
	for i, done := 0, 0; i < int(n); i++ {
		at := 4 + 8*i
		off, sz := uint64(le.Uint32(res[at:])), uint64(le.Uint32(res[at+4:]))
		if off > uint64(len(res)) || sz > uint64(len(res))-off {
			return nil, fmt.Errorf("chunk %d of %d bytes at offset %#x, past the cmpf resource", i, sz, base+off)
		}
		k := min(ChunkSize, size-done)
		if err := d.chunk(methodZlib, res[off:off+sz], out[done:done+k:done+k]); err != nil {
			return nil, fmt.Errorf("chunk %d at offset %#x: %w", i, base+off, err)
		}
		done += k
	}
	return out, nil
}

// offsetFork decodes size bytes of method from a type 8 or 12 resource
// fork. Bytes after the last chunk are an error: no reader decodes them.
func offsetFork(method string, fork []byte, size int) ([]byte, error) {
	n := chunks(size)
	tab := 4 * (n + 1)
	if len(fork) < tab {
		return nil, fmt.Errorf("a fork of %d bytes, shorter than its table of %d chunk offsets", len(fork), n+1)
	}
	off := func(i int) int { return int(binary.LittleEndian.Uint32(fork[4*i:])) }
	if off(0) != tab {
		return nil, fmt.Errorf("a chunk table of %d bytes at offset 0, not the %d its size of %d bytes needs", off(0), tab, size)
	}
	if off(n) != len(fork) {
		return nil, fmt.Errorf("its last chunk ending at offset %#x, not at the fork's end %#x", off(n), len(fork))
	}
	out, d := make([]byte, size), new(decoder)
	for i, done := 0, 0; i < n; i++ {
		start, end := off(i), off(i+1)
		if end < start || end > len(fork) {
			return nil, fmt.Errorf("chunk %d from offset %#x to %#x, outside the fork of %d bytes", i, start, end, len(fork))
		}
		k := min(ChunkSize, size-done)
		if err := d.chunk(method, fork[start:end], out[done:done+k:done+k]); err != nil {
			return nil, fmt.Errorf("chunk %d at offset %#x: %w", i, start, err)
		}
		done += k
	}
	return out, nil
}
