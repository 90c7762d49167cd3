package authenticode

import (
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
)

// FuzzChecksummer compares the streamed PE checksum (64 bytes a turn, fed
// in chunks whose offsets are multiples of 8, CheckSum masked wherever it
// lies) with pefile.Checksum, the plain word-by-word loop, on every length,
// content, checksum offset and chunking the fuzzer finds.
func FuzzChecksummer(f *testing.F) {
	f.Add([]byte("MZ\x90\x00"), uint16(2), uint16(1))
	f.Add(make([]byte, 200), uint16(88), uint16(8))
	f.Add(make([]byte, 129), uint16(127), uint16(3))
	f.Fuzz(func(t *testing.T, b []byte, at, step uint16) {
		off := int(at) % (len(b) + 8)
		chunk := 8 * (int(step)%64 + 1)
		var c checksummer
		mask := span{int64(off), int64(off) + 4}
		for i := 0; i < len(b); i += chunk {
			c.writeMasked(int64(i), b[i:min(i+chunk, len(b))], mask)
		}
		if got, want := c.result(int64(len(b))), pefile.Checksum(b, off); got != want {
			t.Fatalf("len %d, CheckSum at %d, chunks of %d: 0x%x, want 0x%x", len(b), off, chunk, got, want)
		}
	})
}
