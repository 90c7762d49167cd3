package git

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackShallowFileHidesCommit: a .git/shallow file naming b makes the
// git binary treat b as having no parents, so "git rev-list v1..b" lists b
// alone, as a root commit, and a's unsigned change to vendor/ is never a
// candidate. b's objects are all present: the repository is not shallow. The
// audit must still report a with every backend.
func TestAttackShallowFileHidesCommit(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	_, a, b := graftHistory(tr)
	if err := os.WriteFile(filepath.Join(tr.dir, ".git", "shallow"), []byte(b.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustStillAuditHidden(t, tr, a)
}

// TestShallowCloneRefusedByEveryBackend: with the shallow file ignored, a
// real shallow clone (parents missing) still fails the audit rather than
// passing with a short range.
func TestShallowCloneRefusedByEveryBackend(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	dst := t.TempDir()
	runGit(t, dst, "clone", "-q", "--depth", "2", "--no-single-branch", "file://"+h.tr.dir, "clone")
	for _, be := range []Backend{BackendAuto, BackendGitCLI} {
		_, err := Audit(t.Context(), dst+"/clone", Options{Since: "v1", Backend: be, Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}})
		if err == nil {
			t.Errorf("%s: audit of a shallow clone passed", be)
		}
	}
}
