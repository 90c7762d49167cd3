package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackAppContentsSymlink: an app whose Contents is a symbolic link
// to a copy elsewhere in the release, with a resource changed there.
// macOS follows the link and runs the app; its seal must still be checked
// (or the app refused), not the files walked one by one as a plain folder.
func TestAttackAppContentsSymlink(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	files := map[string][]byte{}
	var links [][2]string
	for p, f := range bundle {
		q := strings.Replace(p, "Example.app/Contents/", "stash/Contents/", 1)
		if f.Link != "" {
			links = append(links, [2]string{q, f.Link})
			continue
		}
		files[q] = f.Data
	}
	files["stash/Contents/Resources/app.txt"] = []byte("trojan\n")
	dir := t.TempDir()
	writeTree(t, dir, files)
	for _, l := range links {
		if err := os.Symlink(l[1], filepath.Join(dir, filepath.FromSlash(l[0]))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "Example.app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../stash/Contents", filepath.Join(dir, "Example.app", "Contents")); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{}, dir)
	if r.Summary.Passed {
		t.Errorf("passed; errors %v", errorRules(r))
	}
}
