package glob

import "testing"

// TestAttackMatchFoldDecomposedClass: MatchFold matched a glob under the
// APFS and HFS+ keys of glob and path, which are decomposed (NFD), so a
// character of the glob written with an accent became two there: a class
// `[é]` became `[e\u0301]` and took the plain `e`, so that an allowance
// for `lib/caf[é].dll` reached `lib/cafe.dll`, another file on every file
// system; and a `?` took only the `e` of a decomposed `é`, so a rule for
// `**/caf?.dylib` (or `[^x]y.dll`, for `éy.dll`) missed the
// `café.dylib` a Mac opens, spelled decomposed as macOS writes names. The
// decomposed keys are matched composed again (NFC), which equates the
// same names.
func TestAttackMatchFoldDecomposedClass(t *testing.T) {
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"lib/caf[\u00e9].dll", "lib/cafe.dll", false},
		{"lib/caf[\u00e9\u00e8].dll", "lib/CAFE.dll", false},
		{"lib/caf[\u00e9].dll", "lib/caf\u00e9.dll", true},
		{"lib/caf[\u00e9].dll", "lib/cafe\u0301.dll", true},
		{"lib/caf[\u00e9].dll", "lib/CAFE\u0301.dll", true},
		{"**/caf?.dylib", "Frameworks/cafe\u0301.dylib", true},
		{"**/caf?.dylib", "Frameworks/caf\u00e9.dylib", true},
		{"**/caf?.dylib", "Frameworks/cafe.dylib", true},
		{"lib/[!x]y.dll", "lib/e\u0301y.dll", false},
		{"lib/[^x]y.dll", "lib/e\u0301y.dll", true},
		{"lib/[\u00e9]y.dll", "lib/e\u200c\u0301y.dll", true},
		{"**/Mu\u0308ller.app/**", "M\u00fcller.app/Contents/MacOS/x", true},
		// Two marks on one side of a code point HFS+ ignores: out of
		// canonical order once it is dropped, another name on HFS+
		// (and APFS, which keeps the code point) than the ordered one.
		// A class of a character APFS folds to two, or HFS+ drops.
		{"lib/[\u00df].dll", "lib/s.dll", false},
		{"lib/[\u00df].dll", "lib/S.dll", false},
		{"lib/[\u00df].dll", "lib/\u00df.dll", true},
		{"lib/[\u00dfx].dll", "lib/X.dll", true},
		{"lib/[\ufb01].dll", "lib/i.dll", false},
		{"lib/[\u200cx].dll", "lib/x.dll", true},
		{"lib/\u00df.dll", "lib/SS.dll", true},
		{"lib/a\u0316\u0301.dll", "lib/a\u0301\u200c\u0316.dll", false},
		{"lib/a\u0301\u0316.dll", "lib/a\u0301\u200c\u0316.dll", false},
	} {
		if got := MatchFold(c.g, c.p); got != c.want {
			t.Errorf("MatchFold(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}
