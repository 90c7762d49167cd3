package foldname

import (
	"fmt"
	"strings"
	"testing"
)

// TestFilter: the first pass keeps the hashes of two files of one key on
// some file system, or a file and a folder, and drops those of names that
// collide with nothing (folders merge).
func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []string // "x/" is a folder entry
		hit     []string
	}{
		{"distinct", []string{"a/b", "a/c", "b/a", "lib/x", "libx", "caf\u00e9"}, nil},
		{"folders merge", []string{"Lib/", "lib/x", "LIB/y"}, nil},
		{"case", []string{"a/B", "a/b", "c"}, []string{"a/B", "a/b"}},
		{"file and folder", []string{"Lib", "lib/x.dll", "lib/y.dll", "m"}, []string{"Lib", "lib/x.dll", "lib/y.dll"}},
		{"folder entry and file", []string{"Lib/", "lib"}, []string{"Lib/", "lib"}},
		{"trailing dot", []string{"x.dll.", "x.dll"}, []string{"x.dll.", "x.dll"}},
		{"ignored character", []string{"a\u200db", "ab"}, []string{"a\u200db", "ab"}},
		{"nfc and nfd", []string{"caf\u00e9", "CAFE\u0301"}, []string{"caf\u00e9", "CAFE\u0301"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFilter(len(tc.entries))
			for _, e := range tc.entries {
				f.Add(strings.TrimSuffix(e, "/"), strings.HasSuffix(e, "/"))
			}
			f.Done()
			var hit []string
			for _, e := range tc.entries {
				if f.Hit(strings.TrimSuffix(e, "/")) {
					hit = append(hit, e)
				}
			}
			if fmt.Sprint(hit) != fmt.Sprint(tc.hit) {
				t.Errorf("entries hit %q, want %q", hit, tc.hit)
			}
		})
	}
}

// TestFilterHitDoesNotAllocate: the second pass hashes every name of a
// large archive once more; an ASCII name in any case costs no allocation.
func TestFilterHitDoesNotAllocate(t *testing.T) {
	long := strings.Repeat("Com/Example/", 30) + "Main.class"
	f := NewFilter(2)
	f.Add("A", false)
	f.Add("a", false)
	f.Done()
	if n := testing.AllocsPerRun(100, func() { f.Hit(long) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
