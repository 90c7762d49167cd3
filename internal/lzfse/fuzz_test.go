package lzfse_test

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/lzfse"
	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
)

// FuzzDecode decodes arbitrary streams into a bounded buffer: no panic,
// no write past the bound, and a stream that decodes is within it.
func FuzzDecode(f *testing.F) {
	text := bytes.Repeat([]byte("lzfse seed text, lzfse seed text; "), 40)
	for _, k := range []lzfsetest.Kind{lzfsetest.Raw, lzfsetest.LZVN, lzfsetest.V2, lzfsetest.Mixed} {
		f.Add(lzfsetest.Encode(text, k), 2048)
	}
	f.Add([]byte("bvx$"), 0)
	f.Add([]byte("bvx2 not an lzfse block at all......"), 64)
	f.Fuzz(func(t *testing.T, src []byte, bound int) {
		bound = min(max(bound, 0), 1<<16)
		dst := make([]byte, bound)
		n, _ := lzfse.Decode(dst, src)
		if n < 0 || n > bound {
			t.Fatalf("wrote %d bytes into %d", n, bound)
		}
	})
}

// TestMalformed: each way a stream breaks is an error naming its offset.
func TestMalformed(t *testing.T) {
	good := lzfsetest.Encode(bytes.Repeat([]byte("abcdefgh12345678"), 300), lzfsetest.V2)
	vn := lzfsetest.Encode(bytes.Repeat([]byte("abcdefgh12345678"), 300), lzfsetest.LZVN)
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0xff; return c }
	cases := map[string]struct {
		src   []byte
		bound int
		want  string
	}{
		"no end":         {good[:len(good)-4], 4800, "without an end-of-stream"},
		"unknown magic":  {[]byte("bvxZ...."), 10, "at byte 0: unknown block magic"},
		"over bound":     {good, 100, "past the output bound"},
		"raw truncated":  {[]byte("bvx-\x10\x00\x00\x00abc"), 100, "runs past the stream"},
		"v2 header size": {flip(good, 27), 4800, "header size"},
		"lzvn over":      {vn, 10, "past the output bound"},
		"lzvn payload":   {flip(vn, 8), 4800, "runs past the stream"},
	}
	for name, c := range cases {
		_, err := lzfse.Decode(make([]byte, c.bound), c.src)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) || !bytes.Contains([]byte(err.Error()), []byte("at byte")) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
}

// BenchmarkDecode measures decoding speed (MB/s of output) per block kind
// over mixed text.
func BenchmarkDecode(b *testing.B) {
	data := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog 0123456789 shipgate "), 1<<14)
	for name, k := range map[string]lzfsetest.Kind{"raw": lzfsetest.Raw, "lzvn": lzfsetest.LZVN, "v2": lzfsetest.V2} {
		enc := lzfsetest.Encode(data, k)
		dst := make([]byte, len(data))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := lzfse.Decode(dst, enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
