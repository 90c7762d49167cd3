package dmg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestPartitionZeroChunksDiscounted: zlib chunks of zeros (free space an
// image builder compressed instead of storing as zero-fill) are charged
// an eighth of their size, in 64 KiB pieces; a piece holding one byte
// other than zero, and raw chunks (stored, not expanded), are charged
// whole. A budget one byte short of that stops the read: the zeros read
// are bounded at eight times the budget.
func TestPartitionZeroChunksDiscounted(t *testing.T) {
	t.Parallel()
	vol := append(volume(64<<10), make([]byte, 24<<20)...)
	vol[len(vol)-5] = 1 // one byte in the last piece
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	read := func(budget int64) (charged int64, err error) {
		pr, err := openFS(t, img, PartitionOptions{Take: func(n int64) bool {
			if charged+n > budget {
				return false
			}
			charged += n
			return true
		}})
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, pr.Size())
		_, err = pr.ReadAt(b, 0)
		if err == nil && !bytes.Equal(b[:len(vol)], vol) {
			t.Fatal("decoded bytes differ")
		}
		return charged, err
	}
	charged, err := read(1 << 40)
	if err != nil {
		t.Fatal(err)
	}
	// What each chunk should cost: zero-fill nothing, raw its bytes, zlib
	// its pieces.
	pr, _ := openFS(t, img, PartitionOptions{})
	want, zlibZeros := int64(0), int64(0)
	for _, c := range pr.chunks {
		start, end := int64(c.Sector)*SectorSize, int64(c.Sector+c.Sectors)*SectorSize
		switch c.Type {
		case ChunkRaw:
			want += end - start
		case ChunkZlib:
			for at := start; at < end; at += zeroPiece {
				piece := make([]byte, min(zeroPiece, end-at))
				pr.ReadAt(piece, at)
				if bytes.Equal(piece, make([]byte, len(piece))) {
					want += int64(len(piece)) / zeroDiscount
					zlibZeros += int64(len(piece))
				} else {
					want += int64(len(piece))
				}
			}
		}
	}
	if charged != want || zlibZeros < 12<<20 || want > int64(len(vol))-zlibZeros*7/8+zeroPiece {
		t.Errorf("charged %d, want %d (%d bytes of zlib-compressed zeros)", charged, want, zlibZeros)
	}
	if _, err := read(want - 1); !errors.Is(err, ErrExpansion) {
		t.Errorf("one byte short of the cost: %v", err)
	}
}

// TestAttackZeroDiscountUnbounded: an image whose volume is zlib-compressed
// zeros (a 32 MiB file inflates 32 GiB of them) used to be read up to
// eight times the expansion budget, a minute of CPU at the 4 GiB minimum.
// The discount now covers at most MaxDiscountedZeros bytes of one image
// (lowered here to 4 MiB), shared by all its partition readers: past them
// zeros are charged whole, so what the image inflates stays within the
// budget plus 7/8 of the cap.
func TestAttackZeroDiscountUnbounded(t *testing.T) {
	t.Parallel()
	const maxDiscountedZeros = 4 << 20
	vol := append(volume(64<<10), make([]byte, 24<<20)...)
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol})
	im, err := NewReader(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	im.zeroCredit.max = maxDiscountedZeros
	idx, _ := im.FileSystemPartition()
	read := func() (charged, inflated int64) {
		pr, err := im.OpenPartition(idx, PartitionOptions{Take: func(n int64) bool { charged += n; return true }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pr.ReadAt(make([]byte, pr.Size()), 0); err != nil {
			t.Fatal(err)
		}
		for _, c := range pr.chunks {
			if c.Type == ChunkZlib || c.Type == ChunkRaw {
				inflated += int64(c.Sectors) * SectorSize
			}
		}
		return charged, inflated
	}
	c1, i1 := read()
	c2, i2 := read() // a second reader of the same image: no credit left
	if i1 < 16<<20 {
		t.Fatalf("only %d bytes of zlib and raw chunks: the fixture stores its zeros otherwise", i1)
	}
	if c1 >= i1 {
		t.Errorf("first read charged %d for %d inflated bytes: no discount", c1, i1)
	}
	if c2 != i2 {
		t.Errorf("second read charged %d for %d inflated bytes: the credit was granted again", c2, i2)
	}
	if discount := i1 + i2 - c1 - c2; discount > maxDiscountedZeros*7/8 {
		t.Errorf("%d bytes inflated free of charge, over 7/8 of the %d-byte cap", discount, maxDiscountedZeros)
	}
}
