package apfs

import (
	"io/fs"
	"testing"
)

// TestSpecialModeBits: a file's set-user-ID, set-group-ID and sticky bits
// reach its fs.FileMode as os.Lstat reports them for a folder's file, so
// that a disk image holding a setuid program is reported (file/setuid).
func TestSpecialModeBits(t *testing.T) {
	want := map[string]fs.FileMode{
		"suid":  fs.ModeSetuid | 0o755,
		"sgid":  fs.ModeSetgid | 0o755,
		"both":  fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o777,
		"plain": 0o755,
	}
	files := map[string]BuildFile{}
	for p, m := range want {
		files[p] = BuildFile{Data: []byte(p), Mode: m}
	}
	v := open(t, build(t, BuildSpec{Files: files}))
	for p, m := range want {
		st, err := fs.Stat(v, p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != m {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), m)
		}
	}
}
