package sbom_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/sbom"
)

// gitCheckout writes files (path → content) under a new folder.
func gitCheckout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDiffLeavesOutGitDir: the diff of two git checkouts does not list the
// changes of their .git directories (top-level and nested) or .git files,
// which change with every commit; it lists the release's own change.
func TestDiffLeavesOutGitDir(t *testing.T) {
	old := gitCheckout(t, map[string]string{"a.txt": "1", ".git/HEAD": "ref: refs/heads/main\n", ".git/objects/aa": "old",
		"lib/dep/.git/HEAD": "x", "lib/sub/.git": "gitdir: ../../.git/modules/sub\n"})
	new := gitCheckout(t, map[string]string{"a.txt": "2", ".git/HEAD": "ref: refs/heads/next\n", ".git/objects/bb": "new",
		"lib/dep/.git/HEAD": "y", "lib/sub/.git": "gitdir: ../../.git/modules/other\n"})
	r, err := sbom.DiffReleases(context.Background(), old, new, sbom.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diff.Files) != 1 || r.Diff.Files[0].Path != "a.txt" {
		t.Errorf("file changes = %+v, want a.txt's only", r.Diff.Files)
	}
}

// TestGitDirInventoriedAsVerifyChecksIt: the inventory keeps a .git
// directory's files, as verify checks them: bytes under .git are in the
// release as given (a folder zipped as it is ships them), so neither
// leaves them unread; only the diff leaves out their changes.
func TestGitDirInventoriedAsVerifyChecksIt(t *testing.T) {
	dir := gitCheckout(t, map[string]string{"a.txt": "1", ".git/HEAD": "ref: refs/heads/main\n", "lib/dep/.git/config": "[core]\n"})
	agreeOn(t, dir, []string{".git/HEAD", "a.txt", "lib/dep/.git/config"})
}

// TestDiffOfCheckoutsAtOtherCommits: two checkouts of the same files at
// other commits (only their .git directories differ) differ in nothing.
func TestDiffOfCheckoutsAtOtherCommits(t *testing.T) {
	old := gitCheckout(t, map[string]string{"a.txt": "1", ".git/HEAD": "ref: refs/heads/main\n"})
	new := gitCheckout(t, map[string]string{"a.txt": "1", ".git/HEAD": "ref: refs/heads/next\n"})
	r, err := sbom.DiffReleases(context.Background(), old, new, sbom.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diff.Files) != 0 || len(r.Findings) != 0 {
		t.Errorf("file changes %+v, findings %+v; want none", r.Diff.Files, r.Findings)
	}
}
