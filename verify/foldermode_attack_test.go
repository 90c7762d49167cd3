package verify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackFolderSetuid: a release folder's set-user-ID and set-group-ID
// files were not reported, where a tarball of the same folder has them
// reported (file/setuid): the modes of a folder's files were never read.
// verify now finds the same in both forms, and warns of a world-writable
// program in both (file/world-writable).
func TestAttackFolderSetuid(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "rel")
	walktest.ModeTree(t, dir)
	tarball := filepath.Join(t.TempDir(), "rel.tar")
	if err := os.WriteFile(tarball, walktest.TarDir(t, dir), 0o644); err != nil {
		t.Fatal(err)
	}
	folder, tarred := modeFindings(run(t, Options{}, dir), ""), modeFindings(run(t, Options{}, tarball), "")
	if !slices.Equal(folder, tarred) {
		t.Errorf("folder findings %q, tarball findings %q: want the same", folder, tarred)
	}
	want := slices.Sorted(slices.Values(walktest.ModeFindings))
	if !slices.Equal(folder, want) {
		t.Errorf("folder findings %q, want %q", folder, want)
	}
}

// modeFindings lists r's findings as "rule path", the path without
// prefix, sorted.
func modeFindings(r *Report, prefix string) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Rule)+" "+strings.TrimPrefix(f.Path, prefix))
	}
	slices.Sort(out)
	return out
}
