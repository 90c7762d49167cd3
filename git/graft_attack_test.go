package git

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// graftHistory builds v1 → a (an unsigned change to vendor/) → b (a change
// outside it) and returns a and b.
func graftHistory(tr *testRepo) (root, a, b plumbing.Hash) {
	root, base := rtBase(tr)
	aFiles := with(base, "vendor/lib/a.c", "a2 (backdoor)\n")
	a = tr.commit(commitSpec{files: aFiles, parents: []plumbing.Hash{root}, when: epoch.Add(time.Hour)})
	b = tr.commit(commitSpec{files: with(aFiles, "src/main.c", "m2\n"), parents: []plumbing.Hash{a}, when: epoch.Add(2 * time.Hour)})
	tr.head(b)
	return root, a, b
}

// TestAttackGraftFileHidesCommit: .git/info/grafts, which the git binary
// honours, gives b the parent v1, so "git rev-list v1..b" skips a and its
// unsigned change to vendor/. The audit must still report a with every
// backend.
func TestAttackGraftFileHidesCommit(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, a, b := graftHistory(tr)
	if err := os.MkdirAll(filepath.Join(tr.dir, ".git", "info"), 0o755); err != nil {
		t.Fatal(err)
	}
	graft := b.String() + " " + root.String() + "\n"
	if err := os.WriteFile(filepath.Join(tr.dir, ".git", "info", "grafts"), []byte(graft), 0o644); err != nil {
		t.Fatal(err)
	}
	mustStillAuditHidden(t, tr, a)
}

// TestGraftFileNoneStillAudits: without a grafts file the git backend runs
// as before (the null graft file breaks nothing) and finds a.
func TestGraftFileNoneStillAudits(t *testing.T) {
	t.Parallel()
	if findGit() == "" {
		t.Skip("no git binary on PATH")
	}
	tr := newTestRepo(t)
	_, a, _ := graftHistory(tr)
	res, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: BackendGitCLI, Now: epoch.Add(365 * 24 * time.Hour), Policy: &Policy{Protect: rtVendor}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backend != "git" {
		t.Errorf("backend %q, want git", res.Backend)
	}
	rtHas(t, res, RuleUnsignedProtected, a)
	if len(res.Commits) != 1 {
		t.Errorf("%d protected commits, want 1", len(res.Commits))
	}
}

// mustStillAuditHidden checks that commit a, which a history file of tr's
// .git hides from the git binary, is still audited by every backend and
// still in the git backend's PathHistory of vendor since v1.
func mustStillAuditHidden(t *testing.T, tr *testRepo, a plumbing.Hash) {
	t.Helper()
	check := func(t *testing.T, res *Result) {
		t.Helper()
		rtHas(t, res, RuleUnsignedProtected, a)
	}
	rtAudit(t, tr.dir, Options{Since: "v1"}, check)
	if findGit() == "" {
		t.Skip("no git binary on PATH: the git backend is not exercised")
	}
	t.Run("git", func(t *testing.T) {
		res, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: BackendGitCLI, Now: epoch.Add(365 * 24 * time.Hour), Policy: &Policy{Protect: rtVendor}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, res)
	})
	hist, err := PathHistory(t.Context(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: BackendGitCLI})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0] != a.String() {
		t.Errorf("PathHistory with the git backend: %v, want [%s]", hist, a)
	}
}
