//go:build unix

package sbom

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenNoFollow: openNoFollow, which opens a folder's files without the
// poller's system calls, reads a regular file as os.OpenFile does and,
// like os.OpenFile with O_NOFOLLOW, refuses a symbolic link put where the
// walk saw a file, with the same error; an item whose file is such a link
// is an error of the item, not the link's target read.
func TestOpenNoFollow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.js")
	if err := os.WriteFile(file, []byte("module.exports = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "b.js")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	f, err := openNoFollow(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil || string(b) != "module.exports = 1\n" {
		t.Errorf("read %q, %v", b, err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	for _, name := range []string{link, filepath.Join(dir, "missing.js")} {
		_, got := openNoFollow(name)
		_, want := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
		var pe *os.PathError
		if got == nil || fmt.Sprint(got) != fmt.Sprint(want) || !errors.As(got, &pe) {
			t.Errorf("%s: error %v, want %v", filepath.Base(name), got, want)
		}
	}
	it := &item{path: "b.js", disk: link}
	if _, _, _, err := it.openBytes(); err == nil {
		t.Error("openBytes read through a link")
	}
}
