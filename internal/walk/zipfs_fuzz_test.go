package walk

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// FuzzZipFS names hostile zip archives' entries as the walkers list them
// and opens each through ZipFS's file system: no panic; every name a
// clean relative path inside the archive; every listed file found under
// its name (its data may not read), as a walker looks up an entry's siblings, and read no larger
// than its header says.
func FuzzZipFS(f *testing.F) {
	for _, c := range walktest.ZipCases(f) {
		if len(c.Zip) < 64<<10 {
			f.Add(c.Zip)
		}
	}
	f.Add(walktest.Zip(f, []walktest.ZipEntry{{Name: "caf\x82.txt", Data: []byte("cp437")}, {Name: "b/", Mode: fs.ModeDir | 0o755}, {Name: `b\c.txt`, Data: []byte("c")}}))
	f.Add(walktest.Zip(f, []walktest.ZipEntry{{Name: "a.txt", Data: []byte("x"), Extra: walktest.UnicodePathField("a.txt", "../up.txt")}, {Name: "x/../y.txt", Data: []byte("y")}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(zr.File) > 1000 {
			return
		}
		names, fsys := ZipFS(zr)
		for _, n := range names {
			if n == "" || n == "." || path.IsAbs(n) || n != path.Clean(n) || n == ".." || strings.HasPrefix(n, "../") {
				t.Fatalf("entry named %q", n)
			}
		}
		for _, n := range names[:min(len(names), 50)] {
			file, err := fsys.Open(n)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
				t.Fatalf("listed entry %q is not found: %v", n, err)
			}
			if err != nil {
				continue // found, but its data does not read
			}
			st, err := file.Stat()
			if err == nil && !st.IsDir() {
				m, _ := io.Copy(io.Discard, io.LimitReader(file, 1<<20))
				if m > st.Size() {
					t.Fatalf("%q: read %d bytes of %d", n, m, st.Size())
				}
			}
			file.Close()
		}
	})
}
