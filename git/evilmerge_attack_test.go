package git

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackEvilMergeAttributedToSide: bob's side branch changes
// vendor/lib/a.c to "fix", reviewed; Alice's signed merge of it records
// "evil" there, content in neither parent. The report listed the merge as
// one more change of vendor/lib/a.c, counted against its first parent (the
// side branch's own change plus the payload), so the merge read as the side
// branch brought in. A protected file a merge changes against every parent
// is the merge's own change (what git show --cc shows): it is reported as
// git/merge-own-change. A clean merge of the same branch is not; nor is an
// octopus merge in which the file comes from one of the parents.
func TestAttackEvilMergeAttributedToSide(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	alice := newSSHKey(t)
	main := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}, sign: alice.sign})
	side := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "fix\n"), parents: []plumbing.Hash{root}, sign: alice.sign})
	other := tr.commit(commitSpec{files: with(base, "src/other.c", "o\n"), parents: []plumbing.Hash{root}, sign: alice.sign})
	merged := with(base, "src/main.c", "m2\n", "vendor/lib/a.c", "fix\n")
	clean := tr.commit(commitSpec{files: merged, parents: []plumbing.Hash{main, side}, sign: alice.sign})
	octopus := tr.commit(commitSpec{files: with(merged, "src/other.c", "o\n"), parents: []plumbing.Hash{main, other, side}, sign: alice.sign})
	evil := tr.commit(commitSpec{files: with(merged, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{main, side}, sign: alice.sign})
	tr.head(tr.commit(commitSpec{files: with(merged, "vendor/lib/a.c", "evil\n", "src/other.c", "o\n"), parents: []plumbing.Hash{evil, clean, octopus}, sign: alice.sign}))
	as := AllowedSigners{{Principals: []string{"alice@example.com"}, Key: alice.pub}}
	rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleMergeOwnChange, evil)
		for _, f := range findingsOf(res, RuleMergeOwnChange) {
			if f.Commit != evil.String() {
				t.Errorf("merge-own-change on %s, want only %s: %v", f.Commit, evil, f)
			} else if f.Path != "vendor/lib/a.c" || !strings.Contains(f.Message, "--cc") {
				t.Errorf("finding %+v", f)
			}
		}
	})
}
