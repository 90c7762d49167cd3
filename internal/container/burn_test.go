package container

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
)

// burnStub returns a PE whose ".wixburn" section holds sec, its raw
// size rawSize when not 0.
func burnStub(t *testing.T, sec []byte, rawSize int) []byte {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{Sections: []pefile.Section{{Name: ".text", Data: []byte{0xc3}, Characteristics: 0x60000020}, {Name: ".wixburn", Data: sec}}})
	if err != nil {
		t.Fatal(err)
	}
	if rawSize != 0 {
		at := bytes.Index(img, []byte(".wixburn"))
		binary.LittleEndian.PutUint32(img[at+16:], uint32(rawSize))
	}
	return img
}

// TestAttackBurnSectionWithoutSizes: a ".wixburn" section of 48 to 51
// raw bytes, a header naming containers but no room for their sizes,
// made the walker index an empty list of sizes and panic: one crafted
// file stopped verify and sbom for the whole release.
func TestAttackBurnSectionWithoutSizes(t *testing.T) {
	t.Parallel()
	sec := make([]byte, 48)
	le := binary.LittleEndian
	le.PutUint32(sec, burnMagic)
	le.PutUint32(sec[40:], 1)
	le.PutUint32(sec[44:], 2)
	for _, raw := range []int{48, 51} {
		img := burnStub(t, sec, raw)
		r, size := bytes.NewReader(img), int64(len(img))
		if spans := AttachedCabinets(r, size); len(spans) != 0 {
			t.Errorf("raw size %d: spans %v", raw, spans)
		}
		if _, ok := burnUX(r, size); ok {
			t.Errorf("raw size %d: a bootstrapper container", raw)
		}
		Detect(r, ".exe", img[:HeadLen], size)
		walkAll(t, Attached, img, "bundle.exe", nil, 0)
	}
}
