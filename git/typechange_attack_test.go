package git

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackSymlinkSwapReportedAsModified: vendor/lib/a.c, a file at v1,
// becomes a symlink to ../../src/a_impl.c, unprotected code the build now
// compiles in its place. The report called the change "modified", with a
// line count of the link text against the old source, which reads as an
// edit of the vendored file; git diff --name-status says T (type change),
// and so must the report: a file that turns into a symlink, or back, is
// "type-changed".
func TestAttackSymlinkSwapReportedAsModified(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "symlink:../../src/a_impl.c", "src/a_impl.c", "evil\n"), parents: []plumbing.Hash{root}})
	back := tr.commit(commitSpec{files: with(base, "src/a_impl.c", "evil\n"), parents: []plumbing.Hash{c}})
	tr.head(back)
	if _, err := exec.LookPath("git"); err == nil {
		for _, h := range []plumbing.Hash{c, back} {
			if got := runGit(t, tr.dir, "diff", "--name-status", h.String()+"^", h.String(), "--", "vendor"); !strings.HasPrefix(got, "T") {
				t.Fatalf("git diff --name-status %s: %q, want T", h, got)
			}
		}
	}
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		if len(res.Commits) != 2 {
			t.Fatalf("commits %+v, want 2", res.Commits)
		}
		for _, cm := range res.Commits {
			if len(cm.Files) != 1 || cm.Files[0].Status != "type-changed" {
				t.Errorf("commit %s files %+v, want vendor/lib/a.c type-changed", cm.Hash, cm.Files)
			}
		}
	})
}
