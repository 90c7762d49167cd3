package filekind

import (
	"encoding/binary"
	"testing"
)

// fat returns a 0xcafebabe header of n entries, each pointing at off with
// size sz, padded to total bytes.
func fat(n int, off, sz uint32, total int) []byte {
	b := make([]byte, max(total, 8+20*n))
	binary.BigEndian.PutUint32(b, 0xcafebabe)
	binary.BigEndian.PutUint32(b[4:], uint32(n))
	for i := 0; i < n; i++ {
		e := b[8+20*i:]
		binary.BigEndian.PutUint32(e[8:], off)
		binary.BigEndian.PutUint32(e[12:], sz)
	}
	return b
}

func TestIsUniversal(t *testing.T) {
	java := []byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41, 0x00, 0x1d, 0x0a, 0x00}
	for _, tc := range []struct {
		name string
		head []byte
		size int64
		want bool
	}{
		{"two slices", fat(2, 4096, 100, 4096), 8192, true},
		{"java class file (version 65)", java, int64(len(java)), false},
		{"49 filler entries then code", fat(49, 4096, 16, 4096), 8192, true},
		{"many entries pointing into the table", fat(60, 16, 16, 4096), 8192, false},
		{"many entries beyond the file", fat(60, 4096, 1<<20, 4096), 8192, false},
		{"more entries than fit in 4096 bytes", fat(205, 4096, 1, 4096), 8192, false},
		{"zero entries", fat(0, 0, 0, 16), 16, false},
		{"short", []byte{0xca, 0xfe}, 2, false},
	} {
		if got := IsUniversal(tc.head, tc.size); got != tc.want {
			t.Errorf("%s: IsUniversal = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func FuzzIsUniversal(f *testing.F) {
	f.Add(fat(2, 4096, 100, 4096), int64(8192))
	f.Add(fat(60, 4096, 16, 4096), int64(8192))
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		IsUniversal(b, size)
	})
}
