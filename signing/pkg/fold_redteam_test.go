package pkg

import (
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// Red team: names that APFS's case-insensitive volumes (macOS's default)
// take for one, by the Unicode canonical caseless match (canonical
// decomposition, full case folding, canonical decomposition again), though
// lower-casing keeps them apart: micro sign and mu, long s and s, final
// and medial sigma, sharp s and "ss", the "fi" ligature and "fi", Greek
// symbol variants. Lower-casing said distinct, so a Payload could install
// one file over another unreported.
func TestAttackCaseFoldNotLowerCase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		dup  bool
	}{
		{"\u00b5.dylib", "\u03bc.dylib", true},   // MICRO SIGN, GREEK SMALL LETTER MU
		{"\u017fetup", "setup", true},            // LATIN SMALL LETTER LONG S
		{"\u03c2", "\u03c3", true},               // final and medial sigma
		{"Stra\u00dfe", "STRASSE", true},         // sharp s folds to "ss"
		{"\ufb01le", "file", true},               // LATIN SMALL LIGATURE FI
		{"\u03d0eta", "\u0392ETA", true},         // GREEK BETA SYMBOL, capital beta
		{"\u212aelvin", "kelvin", true},          // KELVIN SIGN
		{"\u0130nfo", "i\u0307nfo", true},        // capital I with dot above folds to i + U+0307
		{"\u0131nfo", "info", false},             // dotless i stays (non-Turkic folding)
		{"\u2163", "iv", false},                  // ROMAN NUMERAL FOUR: compatibility only
		{"e\u0301\u0323", "e\u0323\u0301", true}, // marks in either order: one canonical order
		{"\u1e9b\u0323", "\u1e61\u0323", true},   // long s with dot above, dot below
	} {
		b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: tc.a, Data: []byte("1")}, {Path: tc.b, Data: []byte("2")}}})
		got := problemRules(open(t, b))
		if dup := len(got) == 1 && got[0] == string(RuleUnsafeName); dup != tc.dup {
			t.Errorf("%q and %q: problems %v, want a duplicate: %t", tc.a, tc.b, got, tc.dup)
		}
		if (foldName(tc.a) == foldName(tc.b)) != tc.dup {
			t.Errorf("foldName(%q) = %q, foldName(%q) = %q, want equal: %t", tc.a, foldName(tc.a), tc.b, foldName(tc.b), tc.dup)
		}
	}
}

// Red team: names that HFS+ (a volume a package can still be installed
// onto) takes for one though APFS's folding keeps them apart: a Georgian
// capital and the letter TN1150's table folds it onto, and a name holding
// a character HFS+'s comparison ignores (U+200D, U+FEFF). Reported, in the
// Payload and in the table of contents, as the APFS collisions are.
func TestAttackHFSPlusFoldNotAPFS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b string }{
		{"\u10a0.dylib", "\u10d0.dylib"},
		{"lib\u200dfoo.dylib", "libfoo.dylib"},
		{"\ufefflibfoo.dylib", "LIBFOO.dylib"},
	} {
		b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: tc.a, Data: []byte("1")}, {Path: tc.b, Data: []byte("2")}}})
		if got := problemRules(open(t, b)); len(got) != 1 || got[0] != string(RuleUnsafeName) {
			t.Errorf("%q and %q: problems %v, want a duplicate", tc.a, tc.b, got)
		}
	}
}
