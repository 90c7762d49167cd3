package glob

import "testing"

// Names that case-insensitive file systems take for the same file must
// match the same rules: NTFS compares upper-cased names, so `ınstaller.exe`
// (dotless i) is installer.exe, and APFS folds the long s `ſ` to s.
func TestMatchFoldUnicodeCase(t *testing.T) {
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"windows/installer.exe", "windows/ınstaller.exe", true},
		{"windows/installer.exe", "WINDOWS/INSTALLER.EXE", true},
		{"Acme Desktop.app/**", "Acme Deſktop.app/Contents/MacOS/x", true},
		{"**/*.dll", "bin/KERNEL.DLL", true},
		{"**/*.dll", "bin/x.dlk", false},
		{"[a-c]*.exe", "Bx.exe", true},
		{"[a-c]*.exe", "dx.exe", false},
	} {
		if got := MatchFold(c.g, c.p); got != c.want {
			t.Errorf("MatchFold(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}

// A glob that can never match a release path would make its rule apply
// nowhere without a word: refuse it when the policy is loaded.
func TestCheckRefusesGlobsThatNeverMatch(t *testing.T) {
	for _, g := range []string{"./windows/*.exe", "windows//x.dll", "a/../b", `windows\app.exe`, "x/."} {
		if Check(g) == nil {
			t.Errorf("Check(%q) accepted a glob that matches nothing", g)
		}
	}
	for _, g := range []string{"windows/*.exe", "Contents/Frameworks/**", "**", "vendor/", `a\*b`, `[a-z]?.dll`} {
		if err := Check(g); err != nil {
			t.Errorf("Check(%q): %v", g, err)
		}
	}
}
