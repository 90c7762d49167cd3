package walk

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// tarOf returns a tarball of the headers hs, each file's data its name.
func tarOf(t *testing.T, hs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hs {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(h.Name))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(h.Name))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTarHandsOverEveryEntry walks a tarball of two copies of a name, a
// hard link to it and one to a file not listed, a symbolic link, a set-ID
// file, a pipe and names one on a case-insensitive file system, and
// checks what Tar hands over, in order: every copy, the links with the
// last listed copy, and the findings verify and sbom both report.
func TestTarHandsOverEveryEntry(t *testing.T) {
	reg := func(name string, mode int64) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Typeflag: tar.TypeReg}
	}
	b := tarOf(t, reg("a.txt", 0o644), reg("skip.txt", 0o644), reg("a.txt", 0o644), reg("bin/tool", 0o4755),
		&tar.Header{Name: "h1", Linkname: "a.txt", Typeflag: tar.TypeLink},
		&tar.Header{Name: "h2", Linkname: "skip.txt", Typeflag: tar.TypeLink},
		&tar.Header{Name: "l", Linkname: "a.txt", Typeflag: tar.TypeSymlink},
		&tar.Header{Name: "pipe", Typeflag: tar.TypeFifo}, reg("A.TXT", 0o644))
	tr, err := release.OpenTar(bytes.NewReader(b), int64(len(b)), release.TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var got []string
	n := 0
	Tar(context.Background(), tr, TarWalk{Prefix: "r.tar", At: "r.tar", Verb: "check"}, TarVisitor[int]{
		Finding: func(f signing.Finding) { got = append(got, fmt.Sprintf("finding %s %s", f.Rule, f.Path)) },
		File: func(p string, e *release.Entry) (int, bool) {
			n++
			got = append(got, fmt.Sprintf("file %s %d", p, n))
			return n, e.Name != "skip.txt"
		},
		Hardlink: func(p string, e *release.Entry, target int, found bool) {
			got = append(got, fmt.Sprintf("hardlink %s %d %v", p, target, found))
		},
		Symlink: func(e *release.Entry) { got = append(got, "symlink "+e.Name+" "+e.Link) },
	})
	want := []string{
		"file r.tar/a.txt 1",
		"file r.tar/skip.txt 2",
		"finding file/duplicate-entry r.tar/a.txt",
		"file r.tar/a.txt 3",
		"finding file/setuid r.tar/bin/tool",
		"file r.tar/bin/tool 4",
		"hardlink r.tar/h1 3 true",
		"hardlink r.tar/h2 0 false",
		"symlink l a.txt",
		"finding file/tar-special-entry r.tar/pipe",
		"finding file/name-collision r.tar/A.TXT",
		"file r.tar/A.TXT 5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("walk\n got %q\nwant %q", got, want)
	}
}
