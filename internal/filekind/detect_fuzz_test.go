package filekind

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzDetectAt identifies hostile files by their first bytes and, beyond
// them, by the bytes a universal file's slices, a PE's e_lfanew and an
// asar's header pickle point at: no panic; DetectAt differs from Detect
// only where it reads beyond the head (a universal static library is
// other, a PE or asar found beyond the head); a universal file is other
// only when every slice it lists starts an ar archive.
func FuzzDetectAt(f *testing.F) {
	ar := append([]byte(arMagic), bytes.Repeat([]byte("member  "), 10)...)
	macho := append([]byte{0xcf, 0xfa, 0xed, 0xfe}, make([]byte, 60)...)
	f.Add(fatOf(3, ar, ar))
	f.Add(fatOf(12, ar, ar))
	f.Add(fatOf(12, ar, macho))
	f.Add(fat(2, 4096, 100, 4096))
	big := fatOf(3, ar, ar)
	binary.BigEndian.PutUint32(big, 0xcafebabf)
	f.Add(big)
	f.Add(asarHead(`{"files":{}}`, 0))
	f.Add(append(asarHead(`{"files":{`, 9000), make([]byte, 9000)...))
	pe := make([]byte, 5000)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 4500)
	copy(pe[4500:], "PE\x00\x00")
	f.Add(pe)
	f.Fuzz(func(t *testing.T, b []byte) {
		size := int64(len(b))
		head := b[:min(len(b), HeadLen)]
		k, at := Detect(head, size), DetectAt(bytes.NewReader(b), head, size)
		switch {
		case k == at:
		case k == MachOUniversal && at == Other:
			es := 20
			if binary.BigEndian.Uint32(b) == 0xcafebabf {
				es = 32
			}
			for i := range int(binary.BigEndian.Uint32(b[4:])) {
				off := int64(binary.BigEndian.Uint32(b[8+i*es+8:]))
				if es == 32 {
					off = int64(binary.BigEndian.Uint64(b[8+i*es+8:]))
				}
				if off < 0 || off+8 > size || string(b[off:off+8]) != arMagic {
					t.Fatalf("universal file other, but slice %d at %d is no ar archive", i, off)
				}
			}
		case k == Other && (at == Asar || at == PE):
		default:
			t.Fatalf("Detect %v, DetectAt %v", k, at)
		}
		if len(b) <= HeadLen && k == MachOUniversal && universalOfArchives(head, headReader(head)) {
			t.Fatal("Detect kept a universal static library universal")
		}
	})
}
