package nsis

import (
	"bytes"
	"errors"
	"testing"
)

// TestAttackAmbiguityDecodesOverBudget: the ambiguity check decodes the
// header block again under every other reading the data's start allows;
// those decodings are charged to Take as they decompress, so data whose
// other reading decompresses to a whole header (here the stored and solid
// deflate polyglot, whose second reading decodes its 0xFF00 bytes) stops
// with ErrExpansion once the budget is spent, rather than costing each
// reading its header's size for free. The control: with room for both
// decodings, the polyglot is refused as ambiguous, and the charge is
// twice the header's size.
func TestAttackAmbiguityDecodesOverBudget(t *testing.T) {
	t.Parallel()
	b := Stub(stub, BuildPolyglot([]BuildFile{{Name: `$INSTDIR\stored.dll`, Data: []byte("x")}}, []BuildFile{{Name: `$INSTDIR\deflate.dll`, Data: []byte("y")}}))
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	open := func(budget int64) (int64, error) {
		var spent int64
		_, err := NewReader(r, h, Options{Take: func(n int64) bool { spent += n; return spent <= budget }})
		return spent, err
	}
	if _, err := open(h.HeaderSize * 3 / 2); !errors.Is(err, ErrExpansion) {
		t.Errorf("with room for one decoding and a half: %v, want ErrExpansion", err)
	}
	spent, err := open(4 * h.HeaderSize)
	var ae *AmbiguousError
	if !errors.As(err, &ae) {
		t.Errorf("with room for both decodings: %v, want an AmbiguousError", err)
	}
	if spent != 2*h.HeaderSize {
		t.Errorf("charged %d bytes, want %d: the header's size and the other reading's decoding", spent, 2*h.HeaderSize)
	}
}

// TestHeaderChargeFixtures: a well-formed installer's other readings fail
// within a few bytes, so opening one charges little more than its
// header's size, under every compression.
func TestHeaderChargeFixtures(t *testing.T) {
	t.Parallel()
	for _, o := range []BuildOptions{{}, {Deflate: true}, {Solid: true}, {Deflate: true, LZMA: true}, {Solid: true, LZMA: true}, {Solid: true, LZMA: true, X86: true}} {
		b := Stub(stub, Build(sample(), o))
		r := bytes.NewReader(b)
		h, err := Find(r, int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		var spent int64
		if _, err := NewReader(r, h, Options{Take: func(n int64) bool { spent += n; return true }}); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if spent < h.HeaderSize || spent > h.HeaderSize+64 {
			t.Errorf("%+v: charged %d bytes for a %d-byte header", o, spent, h.HeaderSize)
		}
		t.Logf("%+v: header %d bytes, charged %d", o, h.HeaderSize, spent)
	}
}
