package lzfse_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/lzfse"
	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
	"github.com/shipgate/shipgate/internal/machofile"
)

// corpus returns varied inputs: text, random, zeros, mixed, a Go binary.
func corpus(t testing.TB) map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := make([]byte, 70000)
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog; shipgate verifies what ships.\n", 2000))
	words := []string{"apple", "disk", "image", "chunk", "sector", "lzfse", "block", "\n", " ", "0x80000007"}
	var mixed []byte
	for range 40000 {
		mixed = append(mixed, words[r.IntN(len(words))]...)
	}
	m := map[string][]byte{"empty": nil, "one": {7}, "text": text, "random": rnd, "zeros": make([]byte, 100000), "mixed": mixed}
	if bin, err := goBinary(t); err == nil {
		m["gobinary"] = bin
	} else {
		t.Logf("no Go binary in the corpus: %v", err)
	}
	return m
}

// goBinary cross-compiles a small program for darwin/arm64, the one
// signing/codesign's tests build (machofile.GoHello), so a cold build cache
// compiles the darwin/arm64 runtime once for both.
func goBinary(t testing.TB) ([]byte, error) {
	return machofile.GoHello(t.TempDir(), "arm64")
}

func TestRoundTrip(t *testing.T) {
	for name, data := range corpus(t) {
		for _, kind := range []lzfsetest.Kind{lzfsetest.Raw, lzfsetest.LZVN, lzfsetest.V2, lzfsetest.Mixed} {
			enc := lzfsetest.Encode(data, kind)
			dst := make([]byte, len(data))
			n, err := lzfse.Decode(dst, enc)
			if err != nil {
				t.Fatalf("%s kind %d: %v", name, kind, err)
			}
			if !bytes.Equal(dst[:n], data) {
				t.Fatalf("%s kind %d: decoded %d bytes differ from the %d encoded", name, kind, n, len(data))
			}
			if kind == lzfsetest.V2 {
				t.Logf("%s: %d -> %d bytes", name, len(data), len(enc))
			}
		}
	}
}
