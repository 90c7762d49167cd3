package git

import (
	"context"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/shipgate/shipgate/signing"
)

// rtCount counts res's findings of rule.
func rtCount(res *Result, rule signing.Rule) int {
	n := 0
	for _, f := range res.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

// TestAttackEmptyRange: git-audit over a range with no commit (the release
// tag given as both --since and --until) passed with nothing audited, so
// a gate given the wrong refs passed every change. It is a git/empty-range
// error; a range with a commit has none, and --until behind --since is
// git/history-rewritten already.
func TestAttackEmptyRange(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	c := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}})
	tr.tag("v2", c, nil)
	tr.head(c)
	for _, r := range []struct {
		since, until string
		want         int
	}{{"v1", "v1", 1}, {"v2", "v2", 1}, {"v2", "v1", 0}, {"v1", "v2", 0}} {
		rtAudit(t, tr.dir, Options{Since: r.since, Until: r.until}, func(t *testing.T, res *Result) {
			if n := rtCount(res, RuleEmptyRange); n != r.want {
				t.Errorf("%s..%s: %d %s findings, want %d: %v", r.since, r.until, n, RuleEmptyRange, r.want, rtRules(res))
			}
		})
	}
}

// TestAttackProtectUnmatched: a protected path glob with a typo
// (--protect thrid_party/**) matched no path, so the audit protected
// nothing and passed. A glob that matches no path in the trees at since
// or until is a git/protect-unmatched error naming it; a glob matching a
// file at either end (or a directory, or only ignoring case) is not.
func TestAttackProtectUnmatched(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	files := with(base, "docs/new.md", "n\n")
	delete(files, "src/main.c")
	c := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}})
	tr.head(c)
	pol := &Policy{Protect: []ProtectRule{
		{Path: "thrid_party/**"}, {Path: "vendor/**"}, {Path: "src/main.c"}, {Path: "docs/*.md"},
		{Path: "VENDOR/lib"}, {Path: "**/*.h"}, {Path: "vendor/lib/a.c/x"},
	}}
	res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Policy: pol, Now: epoch})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range res.Findings {
		if f.Rule == RuleProtectUnmatched {
			got[f.Path] = true
		}
	}
	want := map[string]bool{"thrid_party/**": true, "**/*.h": true, "vendor/lib/a.c/x": true}
	if len(got) != len(want) {
		t.Errorf("unmatched globs %v, want %v", got, want)
	}
	for g := range want {
		if !got[g] {
			t.Errorf("no %s finding for %q: %v", RuleProtectUnmatched, g, rtRules(res))
		}
	}
}

// TestProtectGlobMatchedInsideRange: a protected glob whose only path was
// added and removed again within the range protected something: both
// commits are reported, and the glob is not called a typo that protects
// nothing (an error that failed the gate for no fault).
func TestProtectGlobMatchedInsideRange(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"src/main.c": "m\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	add := tr.commit(commitSpec{files: with(base, "third_party/tmp/x.c", "x\n"), parents: []plumbing.Hash{root}})
	del := tr.commit(commitSpec{files: base, parents: []plumbing.Hash{add}})
	tr.head(del)
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party/tmp/**"}, {Path: "thrid_party/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, add)
		rtHas(t, res, RuleUnsignedProtected, del)
		fs := findingsOf(res, RuleProtectUnmatched)
		if len(fs) != 1 || fs[0].Path != "thrid_party/**" {
			t.Errorf("protect-unmatched %v, want the typo alone", fs)
		}
	})
}
