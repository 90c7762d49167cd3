//go:build unix

package walk

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDirTreeSpecialAndUnreadable checks that a named pipe is Special (and
// the walk does not block on it) and that a directory whose listing fails is
// reported Unreadable with IsDir set, after its Dir entry, and not entered.
func TestDirTreeSpecialAndUnreadable(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	locked := filepath.Join(root, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(locked, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	if _, err := os.ReadDir(locked); err == nil {
		t.Skip("running as a user who can read a mode 0 directory")
	}
	kinds := map[string][]Kind{}
	if err := DirTreeTypes(context.Background(), root, func(e Entry) error {
		kinds[e.Path] = append(kinds[e.Path], e.Kind)
		if e.Kind == Unreadable && (!e.IsDir || e.Err == nil) {
			t.Errorf("%s: IsDir %v, Err %v", e.Path, e.IsDir, e.Err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if k := kinds["pipe"]; len(k) != 1 || k[0] != Special {
		t.Errorf("pipe: kinds %v", k)
	}
	if k := kinds["locked"]; len(k) != 2 || k[0] != Dir || k[1] != Unreadable {
		t.Errorf("locked: kinds %v", k)
	}
	if _, ok := kinds["locked/f"]; ok {
		t.Error("entered an unreadable directory")
	}
}
