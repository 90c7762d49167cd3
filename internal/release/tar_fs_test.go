package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"sync/atomic"
	"testing"
)

// TestTarFS: a tarball's regular files are found by name (a name given
// twice is its last entry, as extractors leave it; a hard link is the file
// its target was then), listed by folder and read, plain or
// gzip-compressed; a symbolic link or a folder is no regular file, and a
// name the archive lacks does not exist.
func TestTarFS(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	add := func(h *tar.Header, data string) {
		h.Size, h.Mode = int64(len(data)), 0o644
		tw.WriteHeader(h)
		tw.Write([]byte(data))
	}
	add(&tar.Header{Name: "win/", Typeflag: tar.TypeDir}, "")
	add(&tar.Header{Name: "win/a.cab", Typeflag: tar.TypeReg}, "first")
	add(&tar.Header{Name: "win/b.cab", Typeflag: tar.TypeReg}, "bee")
	add(&tar.Header{Name: "win/a.cab", Typeflag: tar.TypeReg}, "second")
	add(&tar.Header{Name: "win/link.cab", Typeflag: tar.TypeLink, Linkname: "win/b.cab"}, "")
	add(&tar.Header{Name: "win/old.cab", Typeflag: tar.TypeLink, Linkname: "win/a.cab"}, "")
	add(&tar.Header{Name: "win/a.cab", Typeflag: tar.TypeReg}, "third")
	add(&tar.Header{Name: "win/sym.cab", Typeflag: tar.TypeSymlink, Linkname: "b.cab"}, "")
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b.Bytes())
	zw.Close()
	for name, data := range map[string][]byte{"plain": b.Bytes(), "gzip": gz.Bytes()} {
		fsys := TarFS(bytes.NewReader(data), int64(len(data)))
		for p, want := range map[string]string{"win/a.cab": "third", "win/link.cab": "bee", "win/old.cab": "second"} {
			if got, err := fs.ReadFile(fsys, p); err != nil || string(got) != want {
				t.Errorf("%s: %s: %q %v, want %q", name, p, got, err, want)
			}
		}
		if st, err := fs.Stat(fsys, "win"); err != nil || !st.IsDir() {
			t.Errorf("%s: win: %v %v", name, st, err)
		}
		ents, err := fs.ReadDir(fsys, "win")
		if err != nil || len(ents) != 4 || ents[0].Name() != "a.cab" || ents[1].Name() != "b.cab" || ents[2].Name() != "link.cab" {
			t.Errorf("%s: ReadDir: %v %v", name, ents, err)
		}
		for _, p := range []string{"win/sym.cab", "win/none.cab", "win", "../x"} {
			if f, err := fsys.Open(p); err == nil {
				b, _ := io.ReadAll(f)
				t.Errorf("%s: %s opened: %q", name, p, b)
			}
		}
	}
}

// countReaderAt counts the passes over an archive: the reads at its start.
type countReaderAt struct {
	r      io.ReaderAt
	passes *atomic.Int32
}

func (c countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off == 0 {
		c.passes.Add(1)
	}
	return c.r.ReadAt(p, off)
}

// TestTarFSListsOnce: looking a cabinet up as container.CabinetFS does
// (stat, list the folder, stat again, open) reads the tarball once to
// list its names and once more to open the file, not once per look-up.
func TestTarFSListsOnce(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range []string{"win/Data1.cab", "win/setup.msi"} {
		tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Size: 3, Mode: 0o644})
		tw.Write([]byte("abc"))
	}
	tw.Close()
	var passes atomic.Int32
	fsys := TarFS(countReaderAt{bytes.NewReader(b.Bytes()), &passes}, int64(b.Len()))
	if _, err := fs.Stat(fsys, "win/data1.cab"); err == nil {
		t.Fatal("win/data1.cab: found with case not folded")
	}
	one := passes.Load() // the reads at the start one pass makes
	ents, err := fs.ReadDir(fsys, "win")
	if err != nil || len(ents) != 2 {
		t.Fatalf("ReadDir: %v %v", ents, err)
	}
	if _, err := fs.Stat(fsys, "win/Data1.cab"); err != nil {
		t.Fatal(err)
	}
	base := passes.Load()
	got, err := fs.ReadFile(fsys, "win/Data1.cab")
	if err != nil || string(got) != "abc" {
		t.Fatalf("ReadFile: %q %v", got, err)
	}
	if one == 0 || base != one || passes.Load() != 2*one {
		t.Errorf("reads at the start: %d for a pass, %d to look up, %d with the read; want 1 pass and 2", one, base, passes.Load())
	}
}
