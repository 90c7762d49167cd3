package walktest

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// ModeFile is a file of the folder ModeTree makes, with the mode it gets.
type ModeFile struct {
	Name string
	Mode fs.FileMode
}

// ModeFiles are the files of ModeTree: a set-user-ID and a set-group-ID
// script, a plain one, a world-writable one and a README; ModeFindings
// are the findings ("rule path", by path) verify and sbom report of them,
// in a folder as in a tarball.
var (
	ModeFiles = []ModeFile{
		{"README", 0o644},
		{"bin/grp", 0o755 | fs.ModeSetgid},
		{"bin/open", 0o777},
		{"bin/plain", 0o755},
		{"bin/tool", 0o755 | fs.ModeSetuid},
	}
	ModeFindings = []string{"file/setuid bin/grp", "file/world-writable bin/open", "file/setuid bin/tool"}
)

// ModeTree writes ModeFiles under dir, setting their modes with os.Chmod;
// it skips the test when the file system does not keep a set-ID bit.
func ModeTree(t testing.TB, dir string) {
	t.Helper()
	for _, f := range ModeFiles {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, modeScript(f.Name), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.Mode); err != nil {
			t.Skipf("chmod %s %v: %v", f.Name, f.Mode, err)
		}
		if st, err := os.Lstat(p); err != nil || st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid) != f.Mode {
			t.Skipf("the file system does not keep mode %v of %s (%v)", f.Mode, f.Name, err)
		}
	}
}

// TarDir returns a tarball of the files and folders under dir, made by
// archive/tar from their lstat modes, as tar -c stores them.
func TarDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		h.Uname, h.Gname, h.Uid, h.Gid = "", "", 0, 0
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ModeRelease writes ModeTree in a new temporary folder and a tarball of
// it (TarDir), returning the folder's path and the tarball's: the two
// forms of the same release, whose mode findings must agree.
func ModeRelease(t testing.TB) (dir, tarball string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "rel")
	ModeTree(t, dir)
	return dir, WriteTemp(t, "rel.tar", TarDir(t, dir))
}
