package hfsplus

import (
	"strings"
	"testing"
)

// Red team: HFS+'s case-insensitive comparison (TN1150's lower-case table)
// folds the Georgian capitals U+10A0–U+10C5 onto the letters U+10D0–U+10F5,
// Unicode 2.0's case pairing, while Go's unicode.ToLower folds them onto
// U+2D00–U+2D25 (Unicode 4.1 on): "Ⴀ" and "ა" are one entry to macOS on
// HFS+ but two to foldName, so the second hid nothing from the check.
func TestAttackGeorgianCapitalHFSFold(t *testing.T) {
	for r := rune(0x10a0); r <= 0x10c5; r++ {
		if foldName(string(r)) != foldName(string(r+0x30)) {
			t.Errorf("U+%04X and U+%04X fold apart: %q %q", r, r+0x30, foldName(string(r)), foldName(string(r+0x30)))
		}
	}
	img := build(t, BuildSpec{Files: map[string]BuildFile{"A.app/\u10a0.dylib": {Data: []byte("checked")}, "A.app/\u10d0.dylib": {Data: []byte("runs")}}})
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "same entry") {
		t.Fatalf("problems %v", v.Problems)
	}
}
