package verify

import (
	"testing"
)

// TestMakensisNameCollision: makensis builds an installer extracting
// App.dll and app.dll (two files on Linux, one on NTFS, where the later
// overwrites the earlier) and Lib/x.dll beside lib/y.dll (one folder on
// Windows, which is no collision): the gate reports file/name-collision at
// the later name alone.
func TestMakensisNameCollision(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	other := signInstaller(t, append(append([]byte(nil), f.peUnsigned...), make([]byte, 512)...))
	in := makensis(t, "zlib", false, map[string][]byte{"App.dll": f.peValid, "app.dll": other, "Lib/x.dll": []byte("x"), "lib/y.dll": []byte("y")})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
	r := run(t, Options{}, dir)
	var got []string
	for _, x := range r.Findings {
		if x.Rule == RuleNameCollision {
			got = append(got, x.Path)
		}
	}
	if len(got) != 1 || got[0] != "setup.exe/$INSTDIR/app.dll" {
		t.Errorf("collisions at %q, want setup.exe/$INSTDIR/app.dll", got)
	}
	for _, p := range []string{"setup.exe/$INSTDIR/App.dll", "setup.exe/$INSTDIR/app.dll"} {
		if fileByPath(r, p) == nil {
			t.Errorf("%s not checked", p)
		}
	}
}
