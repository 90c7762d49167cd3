package decmpfs

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// sample is a file of several chunks, the last one short.
func sample() []byte {
	var b []byte
	for i := 0; len(b) < 2*ChunkSize+1234; i++ {
		b = append(b, []byte(strings.Repeat("x", i%7)+"decmpfs sample line\n")...)
	}
	return b
}

// TestDecodeTypes: every type that holds data round-trips, inline or in
// the resource fork, empty or of several chunks.
func TestDecodeTypes(t *testing.T) {
	for _, typ := range []uint32{1, 3, 4, 7, 8, 11, 12} {
		for _, data := range [][]byte{{}, []byte("small"), sample()} {
			if typ%2 == 1 && len(data) > ChunkSize {
				data = data[:ChunkSize]
			}
			a, f := Encode(typ, data)
			got, why := Decode(a, f)
			if why != "" || !bytes.Equal(got, data) {
				t.Errorf("type %d, %d bytes: %q, %d bytes", typ, len(data), why, len(got))
			}
		}
	}
}

// TestDecodeStoredChunks: chunks stored after their method's marker byte
// decode as they are.
func TestDecodeStoredChunks(t *testing.T) {
	le := binary.LittleEndian
	data := []byte("stored bytes")
	for typ, marker := range map[uint32]byte{3: 0x0f, 7: 0x06, 11: 0xff} {
		a := le.AppendUint64(le.AppendUint32([]byte("fpmc"), typ), uint64(len(data)))
		a = append(append(a, marker), data...)
		if got, why := Decode(a, nil); why != "" || !bytes.Equal(got, data) {
			t.Errorf("type %d: %q %q", typ, why, got)
		}
	}
}

// TestDecodeRejects: a tampered chunk, a malformed table, trailing
// bytes, an oversized declaration and the types not decoded all fail,
// naming why.
func TestDecodeRejects(t *testing.T) {
	data := sample()
	a4, f4 := Encode(4, data)
	a8, f8 := Encode(8, data)
	a12, f12 := Encode(12, data)
	flip := func(f []byte, at int) []byte { f = bytes.Clone(f); f[at] ^= 0x40; return f }
	big, _ := Encode(3, nil)
	binary.LittleEndian.PutUint64(big[8:], MaxSize+1)
	dataless, _ := Encode(5, data)
	cases := []struct {
		name   string
		a, f   []byte
		reason string
	}{
		{"zlib-chunk-tampered", a4, flip(f4, len(f4)-60), "chunk"},
		{"zlib-table-count", a4, flip(f4, 0x104), "block table"},
		{"zlib-no-fork", a4, nil, "shorter than its 16-byte header"},
		{"lzvn-chunk-tampered", a8, flip(f8, len(f8)-8), "chunk 2"},
		{"lzvn-trailing", a8, append(bytes.Clone(f8), 0), "not at the fork's end"},
		{"lzvn-offsets", a8, flip(f8, 5), "chunk"},
		{"lzfse-chunk-tampered", a12, flip(f12, len(f12)-30), "chunk 2"},
		{"lzfse-table", a12, flip(f12, 0), "chunk table"},
		{"over-limit", big, nil, "over the limit"},
		{"dataless", dataless, nil, "dataless"},
		{"lzbitmap", func() []byte { a, _ := Encode(14, data); return a }(), f8, "type 14 is not decoded"},
	}
	// LZVN has no checksum: a flipped literal decodes, to other bytes,
	// which the file's hash then catches.
	if got, why := Decode(a8, flip(f8, len(f8)-30)); why == "" && bytes.Equal(got, data) {
		t.Error("a tampered LZVN chunk decoded to the original data")
	}
	for _, c := range cases {
		got, why := Decode(c.a, c.f)
		if got != nil || !strings.Contains(why, c.reason) {
			t.Errorf("%s: %q, want %q", c.name, why, c.reason)
		}
	}
}

// FuzzDecode: no input panics or decodes past its declared size.
func FuzzDecode(f *testing.F) {
	for _, typ := range []uint32{4, 8, 12} {
		a, fk := Encode(typ, []byte("fuzz seed data, fuzz seed data"))
		f.Add(a, fk)
	}
	f.Fuzz(func(t *testing.T, a, fk []byte) {
		got, why := Decode(a, fk)
		if why == "" && uint64(len(got)) != binary.LittleEndian.Uint64(a[8:]) {
			t.Fatalf("decoded %d bytes", len(got))
		}
	})
}
