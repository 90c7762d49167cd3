package verify

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestEntryHasherSplitFacts checks that the facts the archive's pass
// learns on its two goroutines (the zip end record search on the archive
// hash's, the SHA-256 and JScript block search on the entries') are put
// together for the right entry, whatever the writes' sizes: each entry has
// a different mix of zip end record and JScript begin line, and the zip
// end record's 0x05 byte is cut across writes of 1 to 5 bytes.
func TestEntryHasherSplitFacts(t *testing.T) {
	t.Parallel()
	zipEnd := append([]byte("PK\x05\x06"), make([]byte, eocdLen-4)...)
	pad := bytes.Repeat([]byte{'x'}, 300)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	files := []electronfix.AsarFile{
		{Path: "a.js", Data: cat(pad, jsBegin, pad, zipEnd)},
		{Path: "b.js", Data: cat(pad, jsBegin, pad)},
		{Path: "c.js", Data: cat(pad, zipEnd)},
		{Path: "d.js", Data: cat(pad)},
		{Path: "e.bin", Data: cat(pad, zipEnd, []byte("y"))},
		{Path: "f.bin", Data: cat(pad, jsBegin)},
		{Path: "g.js", Data: cat(zipEnd[:eocdLen-1])},
		{Path: "h.js", Data: nil},
	}
	type want struct{ noZipEnd, noJSBlock bool }
	wants := map[string]want{
		"a.js": {false, false}, "b.js": {true, false}, "c.js": {false, true}, "d.js": {true, true},
		"e.bin": {false, false}, "f.bin": {true, false}, "g.js": {true, true}, "h.js": {true, true},
	}
	arc := packAsar(files)
	ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 2, 3, 5, 7, 301, 4096, len(arc)} {
		x := newEntryHasher(io.Discard, ar, int64(len(arc)))
		for pos := 0; pos < len(arc); pos += w {
			x.Write(arc[pos:min(pos+w, len(arc))])
		}
		for _, f := range files {
			got, ok := x.facts[f.Path]
			if !ok {
				t.Errorf("writes of %d: %s: no facts", w, f.Path)
				continue
			}
			if sum := sha256.Sum256(f.Data); !bytes.Equal(got.sum, sum[:]) {
				t.Errorf("writes of %d: %s: SHA-256 %x, want %x", w, f.Path, got.sum, sum)
			}
			if wt := wants[f.Path]; got.noZipEnd != wt.noZipEnd || got.noJSBlock != wt.noJSBlock {
				t.Errorf("writes of %d: %s: noZipEnd %v, noJSBlock %v, want %v, %v", w, f.Path, got.noZipEnd, got.noJSBlock, wt.noZipEnd, wt.noJSBlock)
			}
		}
	}
}
