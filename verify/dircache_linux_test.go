package verify

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDirCacheOpen checks dirCache.open: a file is read by its name in the
// directory the cache holds, the directory stays open for the next file of
// it and is replaced for another's, a symbolic link is not followed (as
// O_NOFOLLOW on the path), and dirLen 0 or a missing directory leave the
// file to its path.
func TestDirCacheOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		os.Mkdir(d, 0o755)
		os.WriteFile(filepath.Join(d, "f"), []byte(d), 0o644)
	}
	os.Symlink("f", filepath.Join(a, "link"))
	const flags = syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NOFOLLOW
	var d dirCache
	defer d.close()
	read := func(name string, dirLen int) string {
		t.Helper()
		fd, err := d.open(name, dirLen, flags)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		defer syscall.Close(fd)
		buf := make([]byte, 100)
		n, _ := syscall.Read(fd, buf)
		return string(buf[:n])
	}
	if got := read(filepath.Join(a, "f"), len(a)); got != a || !d.ok || d.dir != a {
		t.Fatalf("read %q, cache %+v", got, d)
	}
	held := d.fd
	if got := read(filepath.Join(a, "f"), len(a)); got != a || d.fd != held {
		t.Errorf("second read %q, fd %d (held %d)", got, d.fd, held)
	}
	if got := read(filepath.Join(b, "f"), len(b)); got != b || d.dir != b {
		t.Errorf("read %q, cache on %q", got, d.dir)
	}
	if got := read(filepath.Join(a, "f"), 0); got != a || d.dir != b {
		t.Errorf("by path: read %q, cache on %q", got, d.dir)
	}
	if _, err := d.open(filepath.Join(a, "link"), len(a), flags); err != syscall.ELOOP {
		t.Errorf("link: %v, want ELOOP", err)
	}
	gone := filepath.Join(dir, "gone")
	if _, err := d.open(filepath.Join(gone, "f"), len(gone), flags); err != syscall.ENOENT {
		t.Errorf("missing directory: %v, want ENOENT", err)
	}
}
