package dmg

import "io"

// bzip2Work is what decoding bzip2 chunk c costs whatever it decodes to:
// Go's decoder allocates and clears a block buffer of 4 bytes per byte of
// the block size its stream header declares ("BZh1" to "BZh9": 100 kB to
// 900 kB), so a one-sector chunk written by bzip2 -9 costs 3.6 MB. A table
// of many small bzip2 chunks would otherwise cost gigabytes of work while
// decoding to a few megabytes. Zero when the header does not parse (the
// decoder then fails at once).
func bzip2Work(r io.ReaderAt, c Chunk) int64 {
	if c.Type != ChunkBzip2 || c.Length < 4 {
		return 0
	}
	var h [4]byte
	if _, err := r.ReadAt(h[:], c.Offset); err != nil {
		return 0
	}
	if string(h[:3]) != "BZh" || h[3] < '1' || h[3] > '9' {
		return 0
	}
	return 4 * 100_000 * int64(h[3]-'0')
}

// chunkCost is what the expansion budget is charged for decoding c to
// want bytes: the bytes, or a bzip2 decoder's block buffer or an LZMA
// chunk's dictionary (capped at what decoding it accepts) when larger.
func chunkCost(r io.ReaderAt, c Chunk, want int64) int64 {
	cost := max(want, bzip2Work(r, c))
	if c.Type == ChunkLZMA {
		cost = max(cost, min(lzmaDict(r, c), maxLZMADict))
	}
	return cost
}
