package git

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackRepoConfigRunsCommand: the audited repository's own config is
// the attacker's. Declaring a promisor remote (a partial clone) with an
// ssh URL and core.sshCommand, and leaving a tree object out, made "git
// rev-list" fetch the missing tree lazily and so run the command: code
// execution by auditing a repository. The git binary must not read the
// repository's config (nor its hooks, grafts or shallow file).
func TestAttackRepoConfigRunsCommand(t *testing.T) {
	t.Parallel()
	if findGit() == "" {
		t.Skip("no git binary on PATH")
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	a := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "a2\n", "vendor/lib/sub/b.c", "b\n"), parents: []plumbing.Hash{root}})
	tr.head(a)
	sub := strings.TrimSpace(runGit(t, tr.dir, "rev-parse", a.String()+"^{tree}"))
	if err := os.Remove(filepath.Join(tr.dir, ".git", "objects", sub[:2], sub[2:])); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "pwned")
	// go-git refuses extensions.partialClone, but a remote marked promisor
	// is a promisor remote to git too, and go-git does not follow includes.
	evil := "[core]\n\tsshCommand = touch " + marker + "; false\n" +
		"[remote \"origin\"]\n\turl = ssh://example.invalid/x\n\tpromisor = true\n"
	if err := os.WriteFile(filepath.Join(tr.dir, ".git", "evil.cfg"), []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "[core]\n\trepositoryformatversion = 0\n\tbare = false\n[include]\n\tpath = evil.cfg\n"
	if err := os.WriteFile(filepath.Join(tr.dir, ".git", "config"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, be := range []Backend{BackendAuto, BackendGitCLI} {
		Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: be, Policy: &Policy{Protect: rtVendor}})
		PathHistory(t.Context(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: be})
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("auditing the repository ran the command its config names")
	}
}
