package sbom

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFolderModeReadOnOpen: the walk of a release folder no longer
// lstat's each file for its mode; the file's open reads it (one fstat).
// A set-user-ID file is reported whether it is small or large, and a file
// whose open did not read its mode (it could not be opened) has lstat's,
// so its set-ID bit is still reported; a mode the open read is the one
// reported.
func TestFolderModeReadOnOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, size := range map[string]int{"small.sh": 10, "big.sh": 1 << 20, "plain.sh": 10, "locked.sh": 10, "read.sh": 10} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("#", size)), 0o644); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o755) | os.ModeSetuid
		if name == "plain.sh" {
			mode = 0o755
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeSetuid == 0 && name != "plain.sh" {
			t.Skipf("the file system does not keep the set-user-ID bit (%v)", err)
		}
	}
	var got []string
	for _, f := range openInv(t, dir).Findings {
		got = append(got, string(f.Rule)+" "+f.Path)
	}
	want := []string{"file/setuid big.sh", "file/setuid locked.sh", "file/setuid read.sh", "file/setuid small.sh"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}

	// The fallback and the open's mode, item by item.
	b := &builder{inv: &Inventory{}}
	b.items = []*item{
		{path: "locked.sh", disk: filepath.Join(dir, "locked.sh"), folderPerm: true},
		{path: "read.sh", disk: filepath.Join(dir, "read.sh"), folderPerm: true, permRead: true, perm: 0o755},
		{path: "gone.sh", disk: filepath.Join(dir, "gone.sh"), folderPerm: true},
		{path: "asar", disk: filepath.Join(dir, "small.sh")},
	}
	b.folderPerms()
	got = got[:0]
	for _, f := range b.inv.Findings {
		got = append(got, string(f.Rule)+" "+f.Path)
	}
	if want := []string{"file/setuid locked.sh"}; !slices.Equal(got, want) {
		t.Errorf("folderPerms findings %q, want %q", got, want)
	}
}
