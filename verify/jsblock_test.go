package verify

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// jsBlockInContains is what jsBlockIn answers: bytes.Contains of either
// begin line.
func jsBlockInContains(b []byte) bool {
	return bytes.Contains(b, jsBegin) || bytes.Contains(b, jsBeginWide)
}

// TestJSBlockInAgrees checks jsBlockIn's one pass against bytes.Contains
// of either begin line, on random bytes from an alphabet of the lines'
// own, with whole and cut begin lines put in at random places (the last
// bytes of a buffer among them).
func TestJSBlockInAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alpha := []byte("/ SIGBegin\x00signatureblock")
	for range 100000 {
		b := make([]byte, rng.IntN(150))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		if rng.IntN(3) == 0 {
			line := jsBegin
			if rng.IntN(2) == 0 {
				line = jsBeginWide
			}
			line = line[:len(line)-rng.IntN(3)] // whole, or cut short
			at := rng.IntN(len(b) + 1)
			b = append(b[:at:at], append(bytes.Clone(line), b[at:]...)...)
		}
		if got, want := jsBlockIn(b), jsBlockInContains(b); got != want {
			t.Fatalf("jsBlockIn(%q) = %v, want %v", b, got, want)
		}
	}
}

func FuzzJSBlockIn(f *testing.F) {
	f.Add([]byte("x// SIG // Begin signature block"))
	f.Add(append([]byte("//\x00"), jsBeginWide...))
	f.Add([]byte("// SIG // Begin signature bloc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := jsBlockIn(b), jsBlockInContains(b); got != want {
			t.Fatalf("jsBlockIn(%q) = %v, want %v", b, got, want)
		}
	})
}
