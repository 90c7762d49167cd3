package dmg

import (
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/lzfse"
)

// maxLZFSELength bounds the stored bytes of an LZFSE chunk of want decoded
// bytes: raw blocks cost 8 bytes each over their data, and a stream of
// small blocks a little more, so twice the data plus 64 KiB is generous.
func maxLZFSELength(want int64) int64 { return 2*want + 64<<10 }

// readLZFSE reads the n bytes of an LZFSE chunk from r and decodes them to
// exactly want bytes; a stream that decodes past want or short of it is an
// error naming the byte of the chunk where decoding stopped.
func readLZFSE(r io.Reader, n, want int64) ([]byte, error) {
	in, err := readChunkData(r, "LZFSE", n, maxLZFSELength(want), want)
	if err != nil {
		return nil, err
	}
	out := make([]byte, want)
	got, err := lzfse.Decode(out, in)
	if err != nil {
		return nil, err
	}
	if int64(got) != want {
		return nil, fmt.Errorf("LZFSE stream decodes to %d bytes, want %d", got, want)
	}
	return out, nil
}
