package dmg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ulikunitz/xz"
)

// LZMA chunks (type 0x80000008, ULMO images) hold an .xz stream, as the
// public UDIF readers and writers decode and write them (libdmg-hfsplus:
// lzma_stream_buffer_decode, lzma_easy_buffer_encode): a stream header,
// LZMA2 blocks, an index and a footer. A chunk's stream must be one
// stream of one block whose only filter is LZMA2, whose index records
// exactly the chunk's sectors, and whose dictionary is at most
// maxLZMADict; it is decoded by github.com/ulikunitz/xz, which checks
// its CRCs and allocates the dictionary the block declares (charged to
// the expansion budget: lzmaDict).

// maxLZMADict bounds the dictionary of an LZMA chunk: xz -9's, the
// largest of xz's presets.
const maxLZMADict = 64 << 20

var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0}

// maxLZMALength is the longest a chunk of want decoded bytes can be: its
// data stored in LZMA2 uncompressed chunks (3 bytes per 64 KiB) behind
// the stream's headers, index and footer.
func maxLZMALength(want int64) int64 { return want + 3*(want>>16+1) + 1024 }

// xzVarint reads the xz multibyte integer at b[*i:], of at most 9 bytes.
func xzVarint(b []byte, i *int) (uint64, error) {
	var v uint64
	for k := 0; k < 9; k++ {
		if *i >= len(b) {
			return 0, errors.New("xz integer runs past the data")
		}
		c := b[*i]
		*i++
		v |= uint64(c&0x7f) << (7 * k)
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("xz integer longer than 9 bytes")
}

// xzBlockDict returns the dictionary size the first block header of the
// xz stream b declares, checking that its only filter is LZMA2.
func xzBlockDict(b []byte) (int64, error) {
	if len(b) < 12+8 || !bytes.Equal(b[:6], xzMagic) {
		return 0, errors.New("not an xz stream")
	}
	hb := b[12:]
	if hb[0] == 0 {
		return 0, errors.New("the xz stream holds no block")
	}
	size := (int(hb[0]) + 1) * 4
	if size > len(hb) {
		return 0, errors.New("xz block header runs past the data")
	}
	h := hb[:size]
	flags := h[1]
	if flags&0x03 != 0 {
		return 0, fmt.Errorf("xz block has %d filters, want LZMA2 alone", flags&0x03+1)
	}
	i := 2
	for _, bit := range []byte{0x40, 0x80} { // compressed, uncompressed size
		if flags&bit != 0 {
			if _, err := xzVarint(h, &i); err != nil {
				return 0, err
			}
		}
	}
	id, err := xzVarint(h, &i)
	if err != nil {
		return 0, err
	}
	n, err := xzVarint(h, &i)
	if err != nil {
		return 0, err
	}
	if id != 0x21 || n != 1 || i >= len(h) {
		return 0, fmt.Errorf("xz block filter %#x with %d bytes of properties, want LZMA2 (0x21) with 1", id, n)
	}
	d := h[i]
	if d > 40 {
		return 0, fmt.Errorf("LZMA2 dictionary size byte %d, over 40", d)
	}
	if d == 40 {
		return 1<<32 - 1, nil
	}
	return int64(2|d&1) << (d/2 + 11), nil
}

// xzSingleBlock checks that the xz stream b is one stream whose index
// records one block of want bytes.
func xzSingleBlock(b []byte, want int64) error {
	if len(b) < 24 {
		return errors.New("xz stream too short")
	}
	foot := b[len(b)-12:]
	if !bytes.Equal(foot[10:], []byte("YZ")) || !bytes.Equal(foot[8:10], b[6:8]) {
		return errors.New("the xz stream does not end with its footer where the chunk ends")
	}
	back := (int64(binary.LittleEndian.Uint32(foot[4:8])) + 1) * 4
	at := int64(len(b)) - 12 - back
	if at < 12 {
		return errors.New("xz index lies before the stream's start")
	}
	idx := b[at : len(b)-12]
	i := 1
	if idx[0] != 0 {
		return errors.New("xz index does not start with its indicator")
	}
	count, err := xzVarint(idx, &i)
	if err != nil {
		return err
	}
	if count != 1 {
		return fmt.Errorf("the xz stream holds %d blocks, want 1", count)
	}
	if _, err := xzVarint(idx, &i); err != nil {
		return err
	}
	n, err := xzVarint(idx, &i)
	if err != nil {
		return err
	}
	if n != uint64(want) {
		return fmt.Errorf("the xz index records %d bytes, want %d", n, want)
	}
	return nil
}

// lzmaDict returns the dictionary the xz stream of LZMA chunk c declares
// (read from its first bytes in r), which decoding it allocates; 0 when
// it cannot be read (decoding it then fails).
func lzmaDict(r io.ReaderAt, c Chunk) int64 {
	var h [12 + 1024]byte
	n, _ := r.ReadAt(h[:min(int64(len(h)), max(c.Length, 0))], c.Offset)
	d, err := xzBlockDict(h[:n])
	if err != nil {
		return 0
	}
	return d
}

// readLZMA reads chunk c's n bytes of xz data from r and decodes them to
// exactly want bytes; the stream must be one block of LZMA2 with a
// dictionary of at most maxLZMADict, end with the chunk and decode to
// exactly want bytes.
func readLZMA(r io.Reader, n, want int64) ([]byte, error) {
	in, err := readChunkData(r, "xz", n, maxLZMALength(want), want)
	if err != nil {
		return nil, err
	}
	dict, err := xzBlockDict(in)
	if err != nil {
		return nil, err
	}
	if dict > maxLZMADict {
		return nil, fmt.Errorf("LZMA2 dictionary of %d bytes, over the limit of %d", dict, maxLZMADict)
	}
	if err := xzSingleBlock(in, want); err != nil {
		return nil, err
	}
	xr, err := xz.ReaderConfig{SingleStream: true}.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(int(want))
	k, err := io.CopyN(&buf, xr, want)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("it decodes to %d bytes, want %d", k, want)
		}
		return nil, err
	}
	var one [1]byte
	if m, err := io.ReadFull(xr, one[:]); m > 0 {
		return nil, errors.New("it decodes to more than its sectors")
	} else if err != nil && err != io.EOF {
		return nil, err
	}
	return buf.Bytes(), nil
}
