package git

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// unsortedHistory builds v1 and a commit after it whose root trees list
// "zzz.txt" before the directory "vendor": out of git's order. The second
// commit changes vendor/a.c.
func unsortedHistory(tr *testRepo) (c1, c2 plumbing.Hash) {
	blob := func(s string) string { return tr.put(plumbing.BlobObject, []byte(s)).String() }
	z := blob("z\n")
	root := func(content string) plumbing.Hash {
		v := tr.rawTree([][3]string{{"100644", "a.c", blob(content)}}).String()
		return tr.rawTree([][3]string{{"100644", "zzz.txt", z}, {"40000", "vendor", v}})
	}
	c1 = tr.put(plumbing.CommitObject, []byte(rtCommitText(root("good\n"), nil, epoch, "c1\n")))
	tr.tag("v1", c1, nil)
	c2 = tr.put(plumbing.CommitObject, []byte(rtCommitText(root("evil\n"), []plumbing.Hash{c1}, epoch.Add(time.Hour), "c2\n")))
	tr.head(c2)
	return c1, c2
}

// TestAttackUnsortedTreeHidesChangeFromGitPathspec: a literal pathspec lets
// git's tree walk stop at the first entry that sorts after it (tree-walk.c's
// "never interesting" shortcut), so in a root tree holding "zzz.txt" before
// "vendor" git rev-list never sees vendor/ and lists no commit for it, while
// a checkout (the index is sorted) writes vendor/a.c all the same. With
// case-sensitive paths the audit asked git with --literal-pathspecs, and
// PathHistory always did: the unsigned change to vendor/a.c passed.
func TestAttackUnsortedTreeHidesChangeFromGitPathspec(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	_, c2 := unsortedHistory(tr)
	if _, err := exec.LookPath("git"); err == nil {
		if got := runGit(t, tr.dir, "--literal-pathspecs", "rev-list", "--full-history", "HEAD", "--", "vendor"); got != "" {
			t.Logf("git rev-list now lists %q: the shortcut is gone from this git", got)
		}
		if got := runGit(t, tr.dir, "ls-tree", "-r", "--name-only", "HEAD"); !strings.Contains(got, "vendor/a.c") {
			t.Fatalf("git ls-tree -r lists %q, want vendor/a.c checked out", got)
		}
	}
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, c2)
	})
	pol := &Policy{Protect: rtVendor, CaseSensitivePaths: true}
	for _, b := range []Backend{BackendGoGit, BackendAuto, BackendGitCLI} {
		if b == BackendGitCLI && findGit() == "" {
			continue
		}
		res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Backend: b, Policy: pol, Now: epoch.Add(24 * time.Hour)})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		rtHas(t, res, RuleUnsignedProtected, c2)
		got, err := PathHistory(context.Background(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: b})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !slices.Equal(got, []string{c2.String()}) {
			t.Errorf("%s: PathHistory = %v, want [%s]", b, got, c2)
		}
	}
}
