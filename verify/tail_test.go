package verify

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestTailBufferKeepsLastBytes writes random-sized pieces and compares what
// the buffer keeps with the end of everything written.
func TestTailBufferKeepsLastBytes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 64} {
		for trial := 0; trial < 200; trial++ {
			tb := tailBuffer{max: n}
			var all []byte
			for w := rng.IntN(20); w > 0; w-- {
				p := make([]byte, rng.IntN(3*n))
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				tb.Write(p)
				all = append(all, p...)
			}
			want := all[max(0, len(all)-n):]
			if got := tb.bytes(); !bytes.Equal(got, want) {
				t.Fatalf("max %d: kept %x, want %x", n, got, want)
			}
			tb.reset()
			if len(tb.bytes()) != 0 {
				t.Fatal("reset kept bytes")
			}
		}
	}
}
