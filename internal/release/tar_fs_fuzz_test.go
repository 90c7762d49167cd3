package release

import (
	"bytes"
	"io"
	"io/fs"
	"testing"
)

// FuzzTarFS checks that TarFS, over any bytes, lists, stats and reads its
// files without panicking, never serves a name that leaves the archive,
// and never reads a file past the size it states.
func FuzzTarFS(f *testing.F) {
	plain := tarOf(f, clean...)
	f.Add(plain)
	f.Add(gz(f, plain))
	f.Add(append(bytes.Clone(plain), "trailing"...))
	f.Add(plain[:len(plain)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := TarFS(bytes.NewReader(b), int64(len(b)))
		for _, bad := range []string{"../x", "/etc/passwd", "a/../../b"} {
			if _, err := fsys.Open(bad); err == nil {
				t.Fatalf("Open(%q) succeeded", bad)
			}
		}
		ents, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return
		}
		for i, e := range ents {
			if i == 8 {
				break
			}
			if !fs.ValidPath(e.Name()) {
				t.Fatalf("listed name %q is not a valid path", e.Name())
			}
			st, err := fs.Stat(fsys, e.Name())
			if err != nil {
				continue
			}
			fl, err := fsys.Open(e.Name())
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(fl, 1<<20))
			fl.Close()
			if st.Size() < 1<<20 && n > st.Size() {
				t.Fatalf("%s: read %d bytes, stated %d", e.Name(), n, st.Size())
			}
		}
	})
}
