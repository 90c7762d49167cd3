package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEmptyInputCLI: sbom and diff of an empty release folder
// printed an empty SBOM and an empty diff with exit status 0; like verify,
// they now fail with exit status 2 naming the folder, and print nothing on
// stdout. A --policy file truncated to nothing fails verify the same way.
func TestAttackEmptyInputCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty, full := filepath.Join(dir, "empty"), filepath.Join(dir, "full")
	for _, d := range []string{empty, full} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(full, "readme.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("# rules:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"sbom", empty},
		{"diff", full, empty},
		{"diff", empty, full},
		{"verify", "--no-system-roots", "--policy", pol, full},
	} {
		code, stdout, stderr := runCLI(t, args...)
		want := empty
		if args[0] == "verify" {
			want = pol
		}
		if code != exitError || stdout != "" || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d naming %s", args, code, stdout, stderr, exitError, want)
		}
	}
	if code, _, stderr := runCLI(t, "diff", full, full); code != exitPass {
		t.Errorf("diff of a release with itself: exit %d: %s", code, stderr)
	}
}
