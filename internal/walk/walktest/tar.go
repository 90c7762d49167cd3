package walktest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"
)

// TarEntry is one entry of a generated tarball: a regular file, a hard
// link to Link when Link is set, or a symbolic link to Symlink when that
// is.
type TarEntry struct {
	Name    string
	Data    []byte
	Link    string
	Symlink string
}

// Tar returns a tarball of entries, in order.
func Tar(t testing.TB, entries []TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: 0o644, Size: int64(len(e.Data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if e.Link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, e.Link, 0
		}
		if e.Symlink != "" {
			h.Typeflag, h.Linkname, h.Size, h.Mode = tar.TypeSymlink, e.Symlink, 0, 0o777
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.Link == "" && e.Symlink == "" {
			if _, err := tw.Write(e.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TarCase is a tarball release and the paths of the files a walker lists
// in it, sorted: those of an input zip of the same entries, as the
// tarball given as input is the release, as a zip is.
type TarCase struct {
	Name string
	Tar  []byte
	// Gzip says the test compresses the tarball: its entries are then
	// read once, from a stream.
	Gzip  bool
	Paths []string
}

// TarCases returns the tarball releases verify and sbom are both tested on.
func TarCases(t testing.TB) []TarCase {
	plain := []TarEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "lib/b.txt", Data: []byte("b")}}
	// c.txt is a hard link to a.txt, lib/d.txt one to c.txt (to a.txt).
	linked := append(plain[:2:2], TarEntry{Name: "c.txt", Link: "a.txt"}, TarEntry{Name: "lib/d.txt", Link: "c.txt"})
	dup := []TarEntry{{Name: "a.txt", Data: []byte("MZ evil")}, {Name: "lib/b.txt", Data: []byte("b")}, {Name: "a.txt", Data: []byte("benign")}, {Name: "c.txt", Link: "a.txt"}}
	top := []TarEntry{{Name: "app-1.0/a.txt", Data: []byte("a")}, {Name: "app-1.0/lib/b.txt", Data: []byte("b")}}
	through := []TarEntry{{Name: "windows/ok.txt", Data: []byte("ok")}, {Name: "w", Symlink: "windows"}, {Name: "w/evil.dll", Data: []byte("evil")}}
	return []TarCase{
		{Name: "plain", Tar: Tar(t, plain), Paths: []string{"a.txt", "lib/b.txt"}},
		{Name: "gzip", Tar: Tar(t, plain), Gzip: true, Paths: []string{"a.txt", "lib/b.txt"}},
		{Name: "one top folder", Tar: Tar(t, top), Gzip: true, Paths: []string{"app-1.0/a.txt", "app-1.0/lib/b.txt"}},
		{Name: "a zip inside", Tar: Tar(t, []TarEntry{{Name: "in.zip", Data: Zip(t, []ZipEntry{{Name: "x.txt", Data: []byte("x")}})}}),
			Paths: []string{"in.zip", "in.zip/x.txt"}},
		{Name: "tarballs nested too deep", Tar: Tar(t, []TarEntry{{Name: "t2.tar", Data: nested(t, "t")}}), Paths: nestedPaths("t")},
		{Name: "hard link", Tar: Tar(t, linked), Paths: []string{"a.txt", "c.txt", "lib/b.txt", "lib/d.txt"}},
		{Name: "hard link, compressed", Tar: Tar(t, linked), Gzip: true, Paths: []string{"a.txt", "c.txt", "lib/b.txt", "lib/d.txt"}},
		{Name: "hard link to no earlier file", Tar: Tar(t, []TarEntry{{Name: "h.txt", Link: "later.txt"}, {Name: "later.txt", Data: []byte("later")}}),
			Paths: []string{"later.txt"}},
		{Name: "hard links in nested tarballs", Tar: Tar(t, []TarEntry{{Name: "in.tar", Data: Tar(t, linked)}, {Name: "in.zip", Data: Zip(t, []ZipEntry{{Name: "in.tar", Data: Tar(t, linked)}})}}),
			Paths: []string{"in.tar", "in.tar/a.txt", "in.tar/c.txt", "in.tar/lib/b.txt", "in.tar/lib/d.txt", "in.zip", "in.zip/in.tar", "in.zip/in.tar/a.txt", "in.zip/in.tar/c.txt", "in.zip/in.tar/lib/b.txt", "in.zip/in.tar/lib/d.txt"}},
		// Two copies of a.txt: both are listed (file/duplicate-entry),
		// the first not hidden by the benign last; the hard link names
		// the last copy read.
		{Name: "duplicate name", Tar: Tar(t, dup), Paths: []string{"a.txt", "a.txt", "c.txt", "lib/b.txt"}},
		{Name: "duplicate name, compressed", Tar: Tar(t, dup), Gzip: true, Paths: []string{"a.txt", "a.txt", "c.txt", "lib/b.txt"}},
		{Name: "duplicate name in a nested tarball", Tar: Tar(t, []TarEntry{{Name: "in.tar", Data: Tar(t, dup)}}),
			Paths: []string{"in.tar", "in.tar/a.txt", "in.tar/a.txt", "in.tar/c.txt", "in.tar/lib/b.txt"}},
		// Symbolic links (as walktest.LinkCases): no files of their own,
		// one out of the archive, directly or through another,
		// file/symlink-escape.
		{Name: "symbolic links", Tar: Tar(t, append(plain[:2:2], TarEntry{Name: "lib/a.txt", Symlink: "../a.txt"}, TarEntry{Name: "out.txt", Symlink: "../outside.txt"},
			TarEntry{Name: "up", Symlink: ".."}, TarEntry{Name: "lib/sneaky.txt", Symlink: "../up/outside.txt"})),
			Paths: []string{"a.txt", "lib/b.txt"}},
		// A file whose path goes through a symbolic link of its
		// archive: extractors that follow the link write it elsewhere;
		// file/insecure-path in both (walk.ThroughLinks).
		{Name: "a file through a symbolic link", Tar: Tar(t, through), Paths: []string{"w/evil.dll", "windows/ok.txt"}},
		{Name: "a file through a symbolic link, nested", Tar: Tar(t, []TarEntry{{Name: "in.tar", Data: Tar(t, through)}}),
			Paths: []string{"in.tar", "in.tar/w/evil.dll", "in.tar/windows/ok.txt"}},
		{Name: "name leaving the archive", Tar: Tar(t, []TarEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "../evil.txt", Data: []byte("out")}}),
			Paths: []string{"a.txt"}},
	}
}

// Gzip returns b compressed with gzip.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
