package asar

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestCheckDigests: digests computed elsewhere of a packed file's bytes
// match its integrity, of one block or several; a changed byte, a block
// digest left out or a file without integrity is reported as VerifyFile
// reports it.
func TestCheckDigests(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), (electronfix.AsarBlockSize+1000)/16)
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "a.js", Data: []byte("alpha")}, {Path: "big.bin", Data: big}})
	ar, err := NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	entry := func(name string) *Entry {
		e, err := ar.Entry(name)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	sum := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	small, large := entry("a.js"), entry("big.bin")
	blocks := [][]byte{sum(big[:electronfix.AsarBlockSize]), sum(big[electronfix.AsarBlockSize:])}
	if err := ar.CheckDigests(small, sum([]byte("alpha")), nil); err != nil {
		t.Errorf("small: %v", err)
	}
	if err := ar.CheckDigests(large, sum(big), blocks); err != nil {
		t.Errorf("big: %v", err)
	}
	if err := ar.CheckDigests(large, sum(big), nil); !errors.Is(err, ErrBlocksNeeded) {
		t.Errorf("big without blocks: %v, want ErrBlocksNeeded", err)
	}
	var ee *EntryError
	if err := ar.CheckDigests(small, sum([]byte("alphA")), nil); !errors.Is(err, ErrIntegrity) || !errors.As(err, &ee) || ee.Path != "a.js" {
		t.Errorf("changed small: %v, want ErrIntegrity on a.js", err)
	}
	bad := [][]byte{blocks[0], sum([]byte("other"))}
	if err := ar.CheckDigests(large, sum(big), bad); !errors.As(err, &ee) || !errors.Is(err, ErrIntegrity) ||
		ee.Offset != ar.DataOffset()+large.Offset+electronfix.AsarBlockSize {
		t.Errorf("changed second block: %v, want ErrIntegrity at its offset", err)
	}
	raw := electronfix.PackAsarRaw([]byte(`{"files":{"a.js":{"size":5,"offset":"0"}}}`), []byte("alpha"))
	nr, err := NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := nr.Entry("a.js")
	if err := nr.CheckDigests(e, sum([]byte("alpha")), nil); !errors.Is(err, ErrNoIntegrity) {
		t.Errorf("no integrity: %v, want ErrNoIntegrity", err)
	}
}
