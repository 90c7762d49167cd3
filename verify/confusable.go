package verify

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/x509name"
)

// Look-alike names. A signer whose subject differs from a subject the
// policy pins or a blocklist lists only by letters of other scripts that
// look like Latin ones ("CN=Аpple" with a Cyrillic А) is not that signer:
// names are compared exactly, and taking look-alikes as equal would block
// or admit the wrong vendor. Such a name is, though, how an impostor gets
// past a reader of the report, so it is reported as a warning
// (RuleConfusableName) naming both.
//
// Names are compared by skeleton, as Unicode TR39 §4 defines it: NFKC
// (folding full-width and other compatibility forms), then every character
// replaced by its prototype. golang.org/x/text has no TR39 skeleton and the
// full confusables table is large, so the table here holds the Cyrillic and
// Greek letters that look like Latin ones, which impersonations of
// Latin-script vendor names use; look-alikes from other scripts are not
// found.

// confusables maps a Cyrillic or Greek letter to the Latin letter it looks
// like (TR39 confusables.txt, Latin targets only).
var confusables = map[rune]rune{
	// Cyrillic capitals.
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'У': 'Y', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ԛ': 'Q', 'Ԝ': 'W', 'Ү': 'Y', 'Һ': 'h', 'Ӏ': 'l',
	// Cyrillic small letters.
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j',
	'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l', 'ү': 'y',
	// Greek capitals.
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
	'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	// Greek small letters.
	'α': 'a', 'ο': 'o', 'ρ': 'p', 'ν': 'v', 'ι': 'i', 'υ': 'u', 'κ': 'k',
}

// skeleton returns s's TR39 skeleton as far as confusables covers it.
func skeleton(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := confusables[r]; ok {
			return p
		}
		return r
	}, norm.NFKC.String(s))
}

// lookalikeKey is the key names are compared by: the skeleton, folded as
// RFC 4518 folds for caseIgnoreMatch (x509name.Fold), so that case and
// spacing do not hide a look-alike.
func lookalikeKey(s string) string { return x509name.Fold(skeleton(s)) }

// confusable reports whether names a and b differ, by more than case, but
// look alike: their lookalikeKeys are equal.
func confusable(a, b string) bool {
	return !strings.EqualFold(a, b) && lookalikeKey(a) == lookalikeKey(b)
}
