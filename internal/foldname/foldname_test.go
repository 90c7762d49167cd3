package foldname

import (
	"fmt"
	"hash/maphash"
	"slices"
	"testing"
)

// collide returns the file systems on which a and b are one name.
func collide(a, b string) Systems {
	ka, kb := KeysOf(a), KeysOf(b)
	var s Systems
	for f := FS(0); f < NumFS; f++ {
		if ka[f] == kb[f] {
			s |= 1 << f
		}
	}
	return s
}

const (
	apfs = Systems(1) << APFS
	hfs  = Systems(1) << HFSPlus
	ntfs = Systems(1) << NTFS
)

// TestKeysOf: each pair is one name on exactly the file systems given.
func TestKeysOf(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		on   Systems
	}{
		{"App.dll", "app.dll", All},
		{"Lib/x", "lib/x", All},
		{"caf\u00e9", "cafe\u0301", apfs | hfs},                 // NFC and NFD: Windows does not normalize
		{"Caf\u00c9", "cafe\u0301", apfs | hfs},                 // case and normalization
		{"\u00b5", "\u03bc", apfs | ntfs},                       // micro sign, mu: both upper-case to U+039C
		{"\u017f", "s", apfs | ntfs},                            // long s upper-cases to S
		{"stra\u00dfe", "strasse", apfs},                        // full case folding only
		{"\u212aelvin", "kelvin", apfs | hfs},                   // Kelvin sign lowers to k; it is its own upper case
		{"\u10a0.dylib", "\u10d0.dylib", hfs},                   // Georgian capital: HFS+'s Unicode 2.0 table
		{"lib\u200dfoo.dylib", "libfoo.dylib", hfs},             // ZERO WIDTH JOINER, ignored by HFS+
		{"\ufefflib", "LIB", hfs},                               // BOM, ignored by HFS+
		{"foo.dll.", "foo.dll", ntfs},                           // Win32 drops trailing dots
		{"foo.dll ", "foo.dll", ntfs},                           // and trailing spaces
		{"Foo.DLL. .", "foo.dll", ntfs},                         // and runs of both, whatever the case
		{"bin./x.dll", "bin/x.dll", ntfs},                       // in each element
		{"\U00010400", "\U00010428", apfs | hfs},                // Deseret: beyond the BMP, NTFS's table maps nothing
		{"foo.dll::$DATA", "foo.dll", ntfs},                     // the file's default stream is the file
		{"Foo.dll::$data", "FOO.DLL", ntfs},                     // whatever the case
		{"lib::$INDEX_ALLOCATION/x.dll", "lib/x.dll", ntfs},     // a folder's index is the folder
		{"lib:$I30:$INDEX_ALLOCATION/x.dll", "lib/x.dll", ntfs}, // named as NTFS names it
		// Distinct on every file system.
		{"foo.dll:evil", "foo.dll", 0},    // a named stream is not the file's data
		{"foo.dll.::$DATA", "foo.dll", 0}, // Win32 trims nothing before the stream: "foo.dll."
		// Distinct on every file system.
		{"a/b", "a-b", 0},
		{"lib/x", "libx", 0},
		{"\u65e5\u672c.txt", "\u65e5\u672c\u8a9e.txt", 0},
		{"\u00e9", "\u00e8", 0},
		{"\u2163", "iv", 0}, // Roman numeral four: compatibility only
		{".a", "a", 0},      // leading dots stay
		{"a.b", "ab", 0},
		{"...", "..", 0}, // an element of dots alone is kept whole
	} {
		if got := collide(tc.a, tc.b); got != tc.on {
			t.Errorf("%+q and %+q: one name on %q, want %q (keys %+q, %+q)", tc.a, tc.b, got, tc.on, KeysOf(tc.a), KeysOf(tc.b))
		}
		if got := Key(tc.a) == Key(tc.b); got != tc.on.Has(APFS) {
			t.Errorf("Key(%+q) == Key(%+q) is %t", tc.a, tc.b, got)
		}
		if got := HFSPlusKey(tc.a) == HFSPlusKey(tc.b); got != tc.on.Has(HFSPlus) {
			t.Errorf("HFSPlusKey(%+q) == HFSPlusKey(%+q) is %t", tc.a, tc.b, got)
		}
	}
}

// TestKeysOfNotUTF8: bytes that are not UTF-8 are not all one character.
func TestKeysOfNotUTF8(t *testing.T) {
	if got := collide("a\xff", "a\xfe"); got.Has(NTFS) {
		t.Errorf("collide on %v", got)
	}
}

// TestKeysOfPlainDoesNotAllocate: the common case costs no allocation.
func TestKeysOfPlainDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { KeysOf("lib/node_modules/x/index.js") }); n != 0 {
		t.Errorf("KeysOf allocated %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { Key("lib/node_modules/x/index.js") }); n != 0 {
		t.Errorf("Key allocated %v times", n)
	}
}

// TestSystemsString: the file systems a finding names.
func TestSystemsString(t *testing.T) {
	for s, want := range map[Systems]string{0: "", apfs: "APFS", apfs | ntfs: "APFS and NTFS (Windows)", All: "APFS, HFS+ and NTFS (Windows)"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", s, got, want)
		}
	}
}

// TestHashes: the hashes are those of the distinct keys and their folder
// prefixes, and a plain name in any case costs no allocation.
func TestHashes(t *testing.T) {
	seed := maphash.MakeSeed()
	long := "Com/Example/" + string(make([]byte, 300)) + "/Main.class"
	for _, n := range []string{"", "a", "App.DLL", "a/B/c", long, "caf\u00e9/X", "CAFE\u0301/y", "foo./Bar ", "lib\u200d/x", "/", "a//b"} {
		var got []string
		Hashes(seed, n, func(h uint64, folder bool) { got = append(got, fmt.Sprint(h, folder)) })
		var want []string
		ks := KeysOf(n)
		for i, k := range ks {
			if slices.Contains(ks[:i], k) {
				continue
			}
			for j := 0; j < len(k); j++ {
				if k[j] == '/' {
					want = append(want, fmt.Sprint(maphash.String(seed, k[:j]), true))
				}
			}
			want = append(want, fmt.Sprint(maphash.String(seed, k), false))
		}
		if !slices.Equal(got, want) {
			t.Errorf("Hashes(%+.40q) = %v, want %v", n, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Hashes(seed, long, func(uint64, bool) {}) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
