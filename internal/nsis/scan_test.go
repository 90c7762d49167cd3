package nsis

import (
	"bytes"
	"errors"
	"testing"
)

// TestScannerFindsWhatFindFinds writes files to a Scanner in chunks of
// every size around the firstheader's length and alignment (so that writes
// cut a candidate anywhere) and checks that its Find gives what Find
// gives: the first aligned firstheader, an unaligned one ignored, none in
// a stub, the archive-size check, and a look of its own when it saw other
// bytes than the file's.
func TestScannerFindsWhatFindFinds(t *testing.T) {
	t.Parallel()
	a := Build(sample(), BuildOptions{})
	inst := Stub(stub, a)
	twice := append(Stub(stub, a), Stub(stub, a)...)
	short := bytes.Clone(inst)
	short = short[:len(short)-10] // its archive runs past the end
	files := map[string][]byte{
		"installer": inst, "two installers": twice, "archive past the end": short,
		"unaligned": append([]byte("x"), inst...), "stub": stub, "empty": nil,
		"header cut at the end": inst[:len(stub)+20],
	}
	for name, b := range files {
		wantH, wantErr := Find(bytes.NewReader(b), int64(len(b)))
		for _, chunk := range []int{1, 5, 27, 28, 29, 511, 512, 513, 4096, len(b) + 1} {
			var s Scanner
			for p := b; len(p) > 0; {
				k := min(chunk, len(p))
				s.Write(p[:k])
				p = p[k:]
			}
			h, err := s.Find(bytes.NewReader(b), int64(len(b)))
			if h != wantH || (err == nil) != (wantErr == nil) || errors.Is(err, ErrNotNSIS) != errors.Is(wantErr, ErrNotNSIS) {
				t.Errorf("%s, writes of %d: %+v, %v; Find: %+v, %v", name, chunk, h, err, wantH, wantErr)
			}
		}
	}
	// Bytes other than the file's: Find reads the file.
	var s Scanner
	s.Write(stub)
	if h, err := s.Find(bytes.NewReader(inst), int64(len(inst))); err != nil || h.Offset != int64(len(stub)) {
		t.Errorf("scanner of other bytes: %+v, %v", h, err)
	}
	s.Reset()
	s.Write(inst)
	if h, err := s.Find(bytes.NewReader(inst), int64(len(inst))); err != nil || h.Offset != int64(len(stub)) {
		t.Errorf("after Reset: %+v, %v", h, err)
	}
}
