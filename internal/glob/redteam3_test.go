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
