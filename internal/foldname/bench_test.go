package foldname

import (
	"fmt"
	"testing"
)

// BenchmarkSetAdd measures a Set over 100,000 mixed-case names, a few
// hundred to a folder, as a tarball's are (every entry reaches the Set)
// or a zip archive's whose every name collides (the worst case for
// Filter):
//
//	go test ./internal/foldname -run '^$' -bench SetAdd -benchmem
func BenchmarkSetAdd(b *testing.B) {
	names := make([]string, 100_000)
	for i := range names {
		names[i] = fmt.Sprintf("com/Example/Pkg%04d/Class%07d.class", i/300, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewSet(All)
		for _, n := range names {
			if s.Add(n, false) != nil {
				b.Fatal("collision")
			}
		}
	}
}
