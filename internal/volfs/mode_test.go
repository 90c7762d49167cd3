package volfs_test

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/hfsplus"
)

// TestSpecialModeBits: a file's set-user-ID, set-group-ID and sticky bits
// reach its fs.FileMode as os.Lstat reports them for a folder's file, in
// an HFS+ volume as in an APFS one, so that a disk image holding a setuid
// program is reported (file/setuid).
func TestSpecialModeBits(t *testing.T) {
	want := map[string]fs.FileMode{
		"suid":  fs.ModeSetuid | 0o755,
		"sgid":  fs.ModeSetgid | 0o755,
		"both":  fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o777,
		"plain": 0o755,
	}
	hfs, ap := map[string]hfsplus.BuildFile{}, map[string]apfs.BuildFile{}
	for p, m := range want {
		hfs[p] = hfsplus.BuildFile{Data: []byte(p), Mode: m}
		ap[p] = apfs.BuildFile{Data: []byte(p), Mode: m}
	}
	for name, open := range map[string]func() (fs.FS, error){
		"hfs+": func() (fs.FS, error) {
			img, err := hfsplus.Build(hfsplus.BuildSpec{Files: hfs})
			if err != nil {
				return nil, err
			}
			return hfsplus.Open(bytes.NewReader(img), int64(len(img)), hfsplus.Options{})
		},
		"apfs": func() (fs.FS, error) {
			img, err := apfs.Build(apfs.BuildSpec{Files: ap})
			if err != nil {
				return nil, err
			}
			return apfs.Open(bytes.NewReader(img), int64(len(img)), apfs.Options{})
		},
	} {
		v, err := open()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for p, m := range want {
			st, err := fs.Stat(v, p)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if st.Mode() != m {
				t.Errorf("%s: %s: mode %v, want %v", name, p, st.Mode(), m)
			}
		}
	}
}
