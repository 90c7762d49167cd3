package filekind

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// fatOf lays out slices as lipo does: a 32-bit fat header, then each
// slice at the next multiple of 2^align.
func fatOf(align uint32, slices ...[]byte) []byte {
	b := make([]byte, 8+20*len(slices))
	binary.BigEndian.PutUint32(b, 0xcafebabe)
	binary.BigEndian.PutUint32(b[4:], uint32(len(slices)))
	for i, s := range slices {
		for len(b)%(1<<align) != 0 {
			b = append(b, 0)
		}
		e := b[8+20*i:]
		binary.BigEndian.PutUint32(e[8:], uint32(len(b)))
		binary.BigEndian.PutUint32(e[12:], uint32(len(s)))
		binary.BigEndian.PutUint32(e[16:], align)
		b = append(b, s...)
	}
	return b
}

// TestUniversalStaticLibraryIsOther: lipo -create of two static libraries
// (libfoo.a for arm64 and x86_64, as SDK releases ship) is a fat file of
// ar archives. No loader maps one and codesign cannot sign one, as a thin
// static library is not native code here: it was a universal Mach-O whose
// every slice was codesign/malformed, an error. A universal file with one
// Mach-O slice stays one, however far its slices lie.
func TestUniversalStaticLibraryIsOther(t *testing.T) {
	t.Parallel()
	ar := append([]byte(arMagic), bytes.Repeat([]byte("member  "), 100)...)
	macho := append([]byte{0xcf, 0xfa, 0xed, 0xfe}, make([]byte, 60)...)
	for _, tc := range []struct {
		name  string
		b     []byte
		want  Kind
		align uint32
	}{
		{"archives-near", fatOf(3, ar, ar), Other, 3},
		{"archives-beyond-head", fatOf(14, ar, ar), Other, 14},
		{"archive-and-macho", fatOf(3, ar, macho), MachOUniversal, 3},
		{"macho-beyond-head", fatOf(14, ar, macho), MachOUniversal, 14},
	} {
		head := tc.b[:min(len(tc.b), HeadLen)]
		if got := DetectAt(bytes.NewReader(tc.b), head, int64(len(tc.b))); got != tc.want {
			t.Errorf("%s: DetectAt %v, want %v", tc.name, got, tc.want)
		}
		if got := Detect(head, int64(len(tc.b))); tc.align < 12 && got != tc.want {
			t.Errorf("%s: Detect %v, want %v", tc.name, got, tc.want)
		}
	}
}
