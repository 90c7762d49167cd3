package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		g, p         string
		match, below bool
	}{
		{"**/*.dll", "x.dll", true, true},
		{"**/*.dll", "a/b/x.dll", true, true},
		{"*.dll", "a/x.dll", false, false},
		{"*.dll", "x.dll", true, true},
		{"vendor/**", "vendor/a/b.c", true, true},
		{"vendor/**", "vendor", true, true},
		{"vendor", "vendor/a/b.c", false, true},
		{"vendor/", "vendor/a", true, true},
		{"vendor/", "vendor/a/b", true, true},
		{"vendor/", "vendor2/a", false, false},
		{"Contents/Frameworks/**", "Contents/MacOS/x", false, false},
		{"a/**/b", "a/b", true, true},
		{"a/**/b", "a/x/y/b", true, true},
		{"a/**/**/b", "a/x/b", true, true},
		{"a/?/c", "a/bb/c", false, false},
		{"[", "[", false, false},
		{"**", "anything/at/all", true, true},
	} {
		if got := Match(tc.g, tc.p); got != tc.match {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.g, tc.p, got, tc.match)
		}
		if got := MatchOrBelow(tc.g, tc.p); got != tc.below {
			t.Errorf("MatchOrBelow(%q, %q) = %v, want %v", tc.g, tc.p, got, tc.below)
		}
	}
}

func TestMatchFold(t *testing.T) {
	if !MatchFold("**/*.dll", "Windows/FFMPEG.DLL") || !MatchFold("Contents/Frameworks/**", "contents/frameworks/x") {
		t.Error("MatchFold is case-sensitive")
	}
	if Match("**/*.dll", "FFMPEG.DLL") {
		t.Error("Match ignores case")
	}
}

func TestCheck(t *testing.T) {
	for g, ok := range map[string]bool{"**/*.dll": true, "": false, "/abs": false, "a**b": false, "[": false, "a/**/b": true} {
		if err := Check(g); (err == nil) != ok {
			t.Errorf("Check(%q) = %v", g, err)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("**/a/**/b/*.c", "x/a/y/b/z.c")
	f.Add(strings.Repeat("**/a/", 20), strings.Repeat("a/", 40))
	f.Fuzz(func(t *testing.T, g, p string) {
		if len(g) > 256 || len(p) > 256 {
			return
		}
		m := Match(g, p)
		if m && !MatchOrBelow(g, p) {
			t.Fatalf("Match(%q, %q) but not MatchOrBelow", g, p)
		}
	})
}

// A glob and a path spelling one name in composed and decomposed forms
// match, as APFS and HFS+ find one file under both: a rule for
// "Müller/*.dll" did not cover "Mu\u0308ller/evil.dll".
func TestAttackGlobNormalizationTwin(t *testing.T) {
	for _, c := range [][2]string{{"Müller/*.dll", "Mu\u0308ller/evil.dll"}, {"Mu\u0308ller/", "MÜLLER/x/evil.dll"}, {"**/caf\u00e9.app/**", "x/Cafe\u0301.app/Contents/MacOS/a"}} {
		if !MatchFold(c[0], c[1]) {
			t.Errorf("%q does not match %q", c[0], c[1])
		}
	}
	if MatchFold("Müller/*.dll", "Muller/evil.dll") {
		t.Error("ü matches u")
	}
}
