package dmg

import (
	"fmt"
	"io"
)

// readChunkData reads the n stored bytes of a chunk of want decoded
// bytes from r for a codec that decodes a whole chunk at once (ADC, xz,
// LZFSE), named what in messages. The data is read only when n is no
// more than limit, the most a stream of want bytes can take.
func readChunkData(r io.Reader, what string, n, limit, want int64) ([]byte, error) {
	if n > limit {
		return nil, fmt.Errorf("%d bytes of %s data are more than %d decoded bytes can take", n, what, want)
	}
	in := make([]byte, n)
	if _, err := io.ReadFull(r, in); err != nil {
		return nil, err
	}
	return in, nil
}

// wholeChunkReader returns the decoder of chunk type t when it decodes
// a whole chunk at once (readADC, readLZMA, readLZFSE), else nil: raw,
// zlib and bzip2 chunks are streamed.
func wholeChunkReader(t uint32) func(r io.Reader, n, want int64) ([]byte, error) {
	switch t {
	case ChunkADC:
		return readADC
	case ChunkLZMA:
		return readLZMA
	case ChunkLZFSE:
		return readLZFSE
	}
	return nil
}
