package dmg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/signing"
)

// TestLZMAImage: a signed image whose file system partition is stored in
// LZMA chunks (ULMO: xz streams) verifies, with its checksums checked; a
// byte changed in an LZMA chunk is caught.
func TestLZMAImage(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{LZMA: true}, dmgfile.SignSpec(testPKI, "com.example.dmg"), nil)
	expect(t, run(t, b), signing.StatusValid)
	c := lay.Chunk(dmgfile.ChunkLZMA)
	if c.Len == 0 {
		t.Fatal("no LZMA chunk")
	}
	b[c.Off+c.Len/2] ^= 1
	expect(t, run(t, b), signing.StatusInvalid, string(RuleMalformed), string(RuleChecksumMismatch), "codesign/page-hash-mismatch")
}

// TestPartitionLZMA: a volume stored in LZMA chunks reads back.
func TestPartitionLZMA(t *testing.T) {
	t.Parallel()
	vol := volume(3*1024*1024 + 4096)
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol, LZMA: true})
	wantReadsBack(t, img, vol)
}

// setXZDict rewrites the dictionary byte of the first block header of
// the xz stream b, and the header's CRC-32.
func setXZDict(b []byte, d byte) []byte {
	b = bytes.Clone(b)
	size := (int(b[12]) + 1) * 4
	h := b[12 : 12+size]
	i := 2
	for _, bit := range []byte{0x40, 0x80} {
		if h[1]&bit != 0 {
			xzVarint(h, &i)
		}
	}
	h[i+2] = d // after the filter ID (0x21) and properties size (1)
	binary.LittleEndian.PutUint32(h[size-4:], crc32.ChecksumIEEE(h[:size-4]))
	return b
}

// TestLZMALimits: an xz stream whose dictionary is over the limit, that
// records other sizes than the chunk's, holds two blocks or streams, or
// more data than its sectors can take does not decode; the dictionary a
// chunk declares is charged to the budget, capped.
func TestLZMALimits(t *testing.T) {
	t.Parallel()
	plain := bytes.Repeat([]byte("shipgate lzma sector "), 100)[:1536]
	good := dmgfile.XZ(plain)
	if d, err := xzBlockDict(good); err != nil || d != 8<<20 {
		t.Fatalf("dictionary %d, %v", d, err)
	}
	if got, err := readLZMA(bytes.NewReader(good), int64(len(good)), int64(len(plain))); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v", err)
	}
	huge := setXZDict(good, 40)
	for _, c := range []struct {
		name string
		in   []byte
		want int64
		err  string
	}{
		{"huge dictionary", huge, 1536, "over the limit"},
		{"short", good, 2048, "records 1536 bytes, want 2048"},
		{"long", good, 1024, "records 1536 bytes, want 1024"},
		{"two streams", append(bytes.Clone(good), good...), 1536, "data after stream"},
		{"not xz", bytes.Repeat([]byte{1}, 100), 1536, "not an xz stream"},
		{"oversized", make([]byte, 4096), 512, "more than 512 decoded bytes can take"},
	} {
		_, err := readLZMA(bytes.NewReader(c.in), int64(len(c.in)), c.want)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	r := bytes.NewReader(huge)
	if got := chunkCost(r, Chunk{Type: ChunkLZMA, Length: int64(len(huge))}, 512); got != maxLZMADict {
		t.Errorf("cost of a 4 GiB dictionary %d, want %d", got, maxLZMADict)
	}
	if got := chunkCost(bytes.NewReader(good), Chunk{Type: ChunkLZMA, Length: int64(len(good))}, 512); got != 8<<20 {
		t.Errorf("cost %d, want the 8 MiB dictionary", got)
	}
	var fe *FormatError
	img, lay := dmgfile.Build(dmgfile.Spec{HFS: volume(64 << 10), LZMA: true})
	c := lay.Chunk(dmgfile.ChunkLZMA)
	copy(img[c.Off:], setXZDict(img[c.Off:c.Off+c.Len], 40))
	pr, err := openFS(t, img, PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.ReadAt(make([]byte, 64<<10), 0); !errors.As(err, &fe) || !strings.Contains(fe.Reason, "dictionary") {
		t.Errorf("huge dictionary in an image: %v", err)
	}
}

// FuzzLZMA decodes arbitrary LZMA chunk data: no panic, and exactly want
// bytes when it decodes.
func FuzzLZMA(f *testing.F) {
	plain := bytes.Repeat([]byte("shipgate lzma sector "), 100)[:1536]
	f.Add(dmgfile.XZ(plain), uint16(1536))
	f.Add(setXZDict(dmgfile.XZ(plain), 40), uint16(1536))
	f.Fuzz(func(t *testing.T, in []byte, want uint16) {
		out, err := readLZMA(bytes.NewReader(in), int64(len(in)), int64(want))
		if err == nil && len(out) != int(want) {
			t.Fatalf("decoded %d bytes, want %d", len(out), want)
		}
	})
}
