package nsis

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"testing"
)

// TestX86DecodeArbitraryMatchesXZ: an attacker writes the filtered bytes,
// not an encoder, so the reader must undo the filter as the LZMA SDK's
// decoder does on any input, not only on what an encoder made. xz's x86
// filter is that decoder: raw LZMA2 of bytes y, read back through xz's x86
// filter, is the filter's decoding of y, which the reader must give too.
func TestX86DecodeArbitraryMatchesXZ(t *testing.T) {
	t.Parallel()
	xz, err := exec.LookPath("xz")
	if err != nil {
		t.Skip("xz is not installed (apt-get install xz-utils); the BCJ decoding cross-check was skipped")
	}
	rng := rand.New(rand.NewPCG(5, 9))
	for iter := range 60 {
		n := 1 + rng.IntN(3000)
		if iter%20 == 0 {
			n = 70000 + rng.IntN(5000) // past the reader's buffer
		}
		y := make([]byte, n)
		for i := range y {
			switch rng.IntN(5) {
			case 0:
				y[i] = 0xE8
			case 1:
				y[i] = 0xE9
			case 2:
				y[i] = 0
			case 3:
				y[i] = 0xFF
			default:
				y[i] = byte(rng.Uint32())
			}
		}
		c := exec.Command(xz, "--format=raw", "--lzma2=preset=0", "-c")
		c.Stdin = bytes.NewReader(y)
		packed, err := c.Output()
		if err != nil {
			t.Fatalf("xz: %v", err)
		}
		d := exec.Command(xz, "-d", "--format=raw", "--x86", "--lzma2=preset=0", "-c")
		d.Stdin = bytes.NewReader(packed)
		want, err := d.Output()
		if err != nil {
			t.Fatalf("xz -d: %v", err)
		}
		if got := x86Decode(t, bytes.NewReader(y)); !bytes.Equal(got, want) {
			t.Fatalf("input %d (%d bytes): the reader decodes other bytes than xz's x86 filter", iter, n)
		}
	}
}
