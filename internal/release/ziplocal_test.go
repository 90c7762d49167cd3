package release

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// TestStoredDescriptor: a data descriptor whose CRC-32 is that of the
// bytes before it ends a stored entry for libarchive's streaming reader,
// wherever it is: at the start, across the boundary of the chunks the
// data is searched by, or past several chunks. A signature with another
// CRC, or none, ends nothing.
func TestStoredDescriptor(t *testing.T) {
	const chunk = 64 << 10
	filler := bytes.Repeat([]byte("PK\x07 data "), 3*chunk/10)
	for _, at := range []int{0, 1, chunk - 5, chunk - 1, chunk, 2*chunk + 3, len(filler) - 8} {
		data := append([]byte(nil), filler...)
		copy(data[at:], "PK\x07\x08")
		binary.LittleEndian.PutUint32(data[at+4:], crc32.ChecksumIEEE(data[:at]))
		p := storedDescriptor(bytes.NewReader(data), 0, int64(len(data)), new([]byte))
		if !p.Data || p.Why == "" {
			t.Errorf("descriptor at %d not found", at)
		}
		// The same bytes at an offset in the file.
		file := append(bytes.Repeat([]byte{0}, 100), data...)
		if p := storedDescriptor(bytes.NewReader(file), 100, int64(len(file)), new([]byte)); p.Why == "" {
			t.Errorf("descriptor at %d (file offset 100) not found", at)
		}
		binary.LittleEndian.PutUint32(data[at+4:], crc32.ChecksumIEEE(data[:at])+1)
		if p := storedDescriptor(bytes.NewReader(data), 0, int64(len(data)), new([]byte)); p.Why != "" {
			t.Errorf("wrong CRC at %d: %s", at, p.Why)
		}
	}
	if p := storedDescriptor(bytes.NewReader(filler), 0, int64(len(filler)), new([]byte)); p.Why != "" {
		t.Errorf("no descriptor: %s", p.Why)
	}
}
