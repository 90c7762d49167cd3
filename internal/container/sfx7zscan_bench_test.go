package container

import (
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// BenchmarkSFX7zScannerOverlay measures the hashing pass's scanner on a
// PE followed by 8 MiB of random overlay (an installer's compressed
// data), which every overlay marker is searched in.
func BenchmarkSFX7zScannerOverlay(b *testing.B) {
	pad := make([]byte, 8<<20)
	testpki.NewRand(1).Read(pad)
	stub, err := pefile.Build(pefile.Spec{})
	if err != nil {
		b.Fatal(err)
	}
	img := append(stub, pad...)
	b.SetBytes(int64(len(img)))
	var s SFX7zScanner
	for b.Loop() {
		s.Reset()
		for i := 0; i < len(img); i += 64 << 10 {
			s.Write(img[i:min(len(img), i+64<<10)])
		}
	}
}
