package lzfse

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
)

// TestDecodeLZVN: a bare LZVN payload (no "bvxn" header) round-trips,
// and one decoding past its output bound or truncated is an error.
func TestDecodeLZVN(t *testing.T) {
	data := bytes.Repeat([]byte("decmpfs chunk of LZVN, "), 3000)
	src := lzfsetest.EncodeLZVN(data)
	dst := make([]byte, len(data))
	if n, err := DecodeLZVN(dst, src); err != nil || n != len(data) || !bytes.Equal(dst, data) {
		t.Fatalf("decoded %d bytes, err %v", n, err)
	}
	if _, err := DecodeLZVN(make([]byte, len(data)-1), src); err == nil {
		t.Error("decoded past its output bound")
	}
	if _, err := DecodeLZVN(dst, src[:len(src)-8]); err == nil {
		t.Error("decoded a payload without its end-of-stream opcode")
	}
}
