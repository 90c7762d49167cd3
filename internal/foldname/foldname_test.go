package foldname

import "testing"

// TestKey: names one file on APFS share a key; names APFS keeps apart do not.
func TestKey(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"App.dll", "app.dll", true},
		{"Lib/x", "lib/x", true},
		{"caf\u00e9", "cafe\u0301", true},
		{"Caf\u00c9", "cafe\u0301", true},
		{"\u00b5", "\u03bc", true},
		{"\u017f", "s", true},
		{"stra\u00dfe", "strasse", true},
		{"\u0131", "i", false}, // dotless i: Turkic folding is not APFS's
		{"a/b", "a-b", false},
		{"lib/x", "libx", false},
	} {
		if got := Key(tc.a) == Key(tc.b); got != tc.same {
			t.Errorf("Key(%q) = %q, Key(%q) = %q; same = %t, want %t", tc.a, Key(tc.a), tc.b, Key(tc.b), got, tc.same)
		}
	}
}

// TestKeyASCIILowerDoesNotAllocate: the common case costs no allocation.
func TestKeyASCIILowerDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Key("lib/node_modules/x/index.js") }); n != 0 {
		t.Errorf("Key allocated %v times", n)
	}
}
