package glob

import "testing"

// TestAttackMatchFoldFileSystems: MatchFold folded each character through
// its simple upper and lower case, which is none of the comparisons the
// file systems make. APFS folds case fully, so `straße` is the folder
// `strasse` and `ﬁx.exe` is `fix.exe`; HFS+ ignores zero-width joiners, so
// `ff\u200cmpeg.dylib` is `ffmpeg.dylib`: a rule for the one did not reach
// the other, which a Mac opens as the same file. And it took the dotted
// capital `İ` for `i`, which no file system does, so an allowance for
// `installer.exe` reached `İnstaller.exe`, another file everywhere. A glob
// now matches a path when it does under the names one of the file systems
// (foldname.KeysOf) finds as one.
func TestAttackMatchFoldFileSystems(t *testing.T) {
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"lib/strasse/**", "lib/Straße/evil.dll", true},
		{"lib/straße/**", "lib/STRASSE/evil.dll", true},
		{"**/fix.exe", "bin/\uFB01x.exe", true},
		{"**/ffmpeg.dylib", "Frameworks/ff\u200cmpeg.dylib", true},
		{"**/kit.exe", "\u212Ait.exe", true},
		{"**/Müller.app/**", "Mu\u0308ller.app/Contents/MacOS/x", true},
		{"windows/installer.exe", "windows/ınstaller.exe", true},
		{"windows/installer.exe", "windows/\u0130nstaller.exe", false},
		{`a\*b.exe`, "a*b.exe", true},
		{`a\*b.exe`, "axb.exe", false},
		{"**/*.dll", "bin/KERNEL.DLL", true},
		{"**/*.dll", "bin/x.dlk", false},
	} {
		if got := MatchFold(c.g, c.p); got != c.want {
			t.Errorf("MatchFold(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}
