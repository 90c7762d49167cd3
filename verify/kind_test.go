package verify

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

func TestDetectKind(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pe := func(lfanew uint32, sig string) []byte {
		b := make([]byte, 0x200)
		copy(b, "MZ")
		binary.LittleEndian.PutUint32(b[0x3c:], lfanew)
		copy(b[lfanew:], sig)
		return b
	}
	be32 := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return append(b, make([]byte, 32)...)
	}
	asarHdr := func(hdr, payload, strLen uint32, first byte) []byte {
		b := binary.LittleEndian.AppendUint32(nil, 4)
		b = binary.LittleEndian.AppendUint32(b, hdr)
		b = binary.LittleEndian.AppendUint32(b, payload)
		b = binary.LittleEndian.AppendUint32(b, strLen)
		return append(b, first, '"')
	}
	for _, c := range []struct {
		name string
		b    []byte
		want Kind
	}{
		{"signed pe", f.peValid, KindPE},
		{"unsigned pe", f.peUnsigned, KindPE},
		{"pe header at 0x80", pe(0x80, "PE\x00\x00"), KindPE},
		{"dos stub only (MZ without PE)", pe(0x80, "NE\x00\x00"), KindOther},
		{"e_lfanew past the sniffed bytes", pe(0x80, "PE\x00\x00")[:0x82], KindOther},
		{"e_lfanew huge", pe(0x80, "PE\x00\x00")[:0x40], KindOther},
		{"mach-o 64 le", f.machoValid, KindMachO},
		{"mach-o 32 le", []byte{0xce, 0xfa, 0xed, 0xfe, 7, 0, 0, 0}, KindMachO},
		{"mach-o 64 be", []byte{0xfe, 0xed, 0xfa, 0xcf, 0, 0, 0, 18}, KindMachO},
		{"mach-o 32 be", []byte{0xfe, 0xed, 0xfa, 0xce}, KindMachO},
		{"universal", f.fat, KindMachOUniversal},
		{"universal 64", be32(0xcafebabf, 2), KindMachOUniversal},
		{"java class (version 52)", be32(0xcafebabe, 0x00000034), KindOther},
		{"java class (minor 3, major 45)", be32(0xcafebabe, 0x0003002d), KindOther},
		{"fat with zero arches", be32(0xcafebabe, 0), KindOther},
		{"asar", packAsar(nil), KindAsar},
		{"asar header", asarHdr(12, 8, 3, '{'), KindAsar},
		{"asar inconsistent payload", asarHdr(12, 12, 3, '{'), KindOther},
		{"asar string too long", asarHdr(12, 8, 5, '{'), KindOther},
		{"asar not json", asarHdr(12, 8, 3, '['), KindOther},
		{"zip", []byte("PK\x03\x04rest"), KindOther},
		{"text", []byte("hello"), KindOther},
		{"empty", nil, KindOther},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DetectKind(c.b); got != c.want {
				t.Errorf("DetectKind = %s, want %s", got, c.want)
			}
		})
	}
	if !IsZip([]byte("PK\x03\x04")) || !IsZip([]byte("PK\x05\x06")) || IsZip([]byte("PK\x01\x02")) {
		t.Errorf("IsZip")
	}
}

func FuzzDetectKind(f *testing.F) {
	fx := getFixtures(f)
	for _, b := range [][]byte{fx.peValid, fx.machoValid, fx.fat, packAsar(nil), []byte("PK\x03\x04"), {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1}} {
		f.Add(b[:min(len(b), 512)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := DetectKind(b)
		if k != DetectKind(append(bytes.Clone(b), make([]byte, 16)...)) && len(b) >= sniffLen {
			t.Errorf("appending bytes past the sniffed prefix changed the kind")
		}
	})
}

func TestMatchGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"**", "a", true},
		{"**", "a/b/c", true},
		{"**/*.dll", "x.dll", true},
		{"**/*.dll", "a/b/x.dll", true},
		{"**/*.dll", "a/b/x.exe", false},
		{"*.dll", "a/x.dll", false},
		{"*.dll", "x.dll", true},
		{"Contents/Frameworks/**", "Contents/Frameworks/A.framework/A", true},
		{"Contents/Frameworks/**", "Contents/MacOS/A", false},
		{"Contents/**/*.dylib", "Contents/Frameworks/x/y/libz.dylib", true},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"a/?/c", "a/b/c", true},
		{"a/[bc]", "a/c", true},
		{"**/**/x", "x", true},
		{"**/*.dll", "windows/FFMPEG.DLL", true}, // case-insensitive file systems
		{"windows/ffmpeg.dll", "Windows/FFmpeg.dll", true},
	} {
		if got := MatchGlob(c.g, c.p); got != c.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}

// TestZipEndSigsMatchesByteScan checks the vectorised search for zip end
// record signatures against a byte-by-byte scan, on buffers with
// signatures planted everywhere, overlapping, and in the last 22 bytes
// (where no record fits).
func TestZipEndSigsMatchesByteScan(t *testing.T) {
	t.Parallel()
	rng := testpki.NewRand(11)
	for n := range 200 {
		buf := make([]byte, n)
		rng.Read(buf)
		for k := 0; k < n/8; k++ {
			var b [2]byte
			rng.Read(b[:])
			copy(buf[int(b[0])%n:], "PK\x05\x06PK\x05\x06"[:4+int(b[1])%5])
		}
		var want []int
		for i := 0; i <= len(buf)-eocdLen; i++ {
			if bytes.HasPrefix(buf[i:], zipEndSig) {
				want = append(want, i)
			}
		}
		if got := zipEndSigs(buf); !slices.Equal(got, want) {
			t.Fatalf("%d bytes %x: signatures at %v, want %v", n, buf, got, want)
		}
	}
}
