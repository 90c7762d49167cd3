package nsis

import (
	"bytes"
	"testing"
)

// BenchmarkNewReader opens a solid and a non-solid deflate installer of a
// 1 MiB file: finding the reading and decoding the header, which the
// ambiguity check does under every reading the data's start allows, each
// decoding beyond the first charged to Take.
func BenchmarkNewReader(b *testing.B) {
	data := bytes.Repeat([]byte("not really a dll "), 1<<16)
	for _, o := range []BuildOptions{{Deflate: true}, {Solid: true}, {Solid: true, LZMA: true}} {
		inst := Stub(stub, Build([]BuildFile{{Name: `$INSTDIR\app.dll`, Data: data}}, o))
		r := bytes.NewReader(inst)
		h, err := Find(r, int64(len(inst)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(map[bool]string{true: "solid", false: "nonsolid"}[o.Solid]+map[bool]string{true: "-lzma", false: ""}[o.LZMA], func(b *testing.B) {
			b.ReportAllocs()
			var spent int64
			take := func(n int64) bool { spent += n; return true }
			for b.Loop() {
				if _, err := NewReader(r, h, Options{Take: take}); err != nil {
					b.Fatal(err)
				}
			}
			// What the header's decodings were charged, per byte of
			// header: 1 when the other readings fail at once.
			b.ReportMetric(float64(spent)/float64(int64(b.N)*h.HeaderSize), "charged/header")
		})
	}
}
