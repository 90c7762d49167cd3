package foldname

import (
	"hash/maphash"
	"strings"
	"testing"
)

// FuzzKeysOf checks, for any pair of names, that the plain-name shortcut
// gives the keys the full computation does, that a key's folder prefixes
// are the keys of the name's, that Hashes hashes the keys, and that a Set
// reports the two as one exactly where their keys say so.
//
//	go test ./internal/foldname -fuzz FuzzKeysOf -fuzztime 30s
func FuzzKeysOf(f *testing.F) {
	for _, s := range [][2]string{
		{"App.dll", "app.dll"}, {"caf\u00e9", "cafe\u0301"}, {"lib\u200dfoo", "libfoo"}, {"\u10a0", "\u10d0"},
		{"foo.dll.", "foo.dll"}, {"bin./x", "bin/x"}, {"Lib", "lib/x"}, {"\U00010400", "\U00010428"}, {"a\xff", "A\xff"},
		{"...", ".."}, {"\u00b5", "\u03bc"},
	} {
		f.Add(s[0], s[1])
	}
	seed := maphash.MakeSeed()
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, n := range []string{a, b} {
			k := KeysOf(n)
			if plain(n) {
				if want := (Keys{apfsKey(n), hfsPlusKey(n), ntfsKey(n)}); k != want {
					t.Fatalf("KeysOf(%+q) = %+q, want %+q", n, k, want)
				}
			}
			if Key(n) != k[APFS] || HFSPlusKey(n) != k[HFSPlus] {
				t.Fatalf("Key or HFSPlusKey of %+q differ from KeysOf", n)
			}
			var hs []uint64
			Hashes(seed, n, func(h uint64, _ bool) { hs = append(hs, h) })
			for _, key := range k {
				if !containsHash(hs, maphash.String(seed, key)) {
					t.Fatalf("Hashes(%+q) lacks the hash of key %+q", n, key)
				}
			}
		}
		if a == b || a == "" || strings.Contains(a, "/") || strings.Contains(b, "/") {
			return
		}
		var want Systems
		ka, kb := KeysOf(a), KeysOf(b)
		for fs := FS(0); fs < NumFS; fs++ {
			if ka[fs] == kb[fs] {
				want |= 1 << fs
			}
		}
		s := NewSet(All)
		s.Add(a, false)
		cs := s.Add(b, false)
		var got Systems
		for _, c := range cs {
			got |= c.On
		}
		if got != want {
			t.Fatalf("Set: %+q and %+q collide on %v, keys say %v", a, b, got, want)
		}
		// A file a and the folder b that b/x implies.
		if b == "" {
			return
		}
		s = NewSet(All)
		s.Add(a, false)
		got = 0
		for _, c := range s.Add(b+"/x", false) {
			if c.Dir && c.Part == b {
				got |= c.On
			}
		}
		if got != want {
			t.Fatalf("Set: file %+q and folder %+q collide on %v, keys say %v", a, b, got, want)
		}
	})
}

func containsHash(hs []uint64, h uint64) bool {
	for _, x := range hs {
		if x == h {
			return true
		}
	}
	return false
}
