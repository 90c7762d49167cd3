package git

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// history is a repository with merges that bring vendor changes:
//
//	root(tag v1) ─ c1 ─────────── M ─ c2 ─ M2 ─ c3   (master)
//	      └─ b1 (vendor) ─ b2 ───┘        /
//	                      c2 ─ b3 (src) ─┘   M2 also edits vendor (evil merge)
type history struct {
	tr                              *testRepo
	root, c1, b1, b2, m, c2, b3, m2 plumbing.Hash
	c3, same                        plumbing.Hash
	wantVendor                      []string
}

func buildHistory(t *testing.T) *history {
	h := &history{tr: newTestRepo(t)}
	tr := h.tr
	base := map[string]string{"vendor/lib/a.c": "a1\n", "src/main.c": "m1\n"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(out, kv[i])
			} else {
				out[kv[i]] = kv[i+1]
			}
		}
		return out
	}
	h.root = tr.commit(commitSpec{files: base})
	tr.tag("v1", h.root, nil)
	f1 := with(base, "src/main.c", "m2\n")
	h.c1 = tr.commit(commitSpec{files: f1, parents: []plumbing.Hash{h.root}})
	fb1 := with(base, "vendor/lib/a.c", "a2\n")
	h.b1 = tr.commit(commitSpec{files: fb1, parents: []plumbing.Hash{h.root}, author: "Mallory <mallory@evil.test>"})
	fb2 := with(fb1, "src/other.c", "x\n")
	h.b2 = tr.commit(commitSpec{files: fb2, parents: []plumbing.Hash{h.b1}})
	fm := with(fb2, "src/main.c", "m2\n")
	h.m = tr.commit(commitSpec{files: fm, parents: []plumbing.Hash{h.c1, h.b2}})
	fc2 := with(fm, "vendor/lib/b.c", "b1\n")
	h.c2 = tr.commit(commitSpec{files: fc2, parents: []plumbing.Hash{h.m}})
	fb3 := with(fc2, "src/main.c", "m3\n")
	h.b3 = tr.commit(commitSpec{files: fb3, parents: []plumbing.Hash{h.c2}})
	// A merge whose sides agree under vendor/ but which edits vendor itself.
	fm2 := with(fb3, "vendor/lib/a.c", "a3-evil\n")
	h.m2 = tr.commit(commitSpec{files: fm2, parents: []plumbing.Hash{h.c2, h.b3}})
	h.c3 = tr.commit(commitSpec{files: with(fm2, "README", "hi\n"), parents: []plumbing.Hash{h.m2}})
	// A merge of two identical vendor states: not a vendor change.
	h.same = tr.commit(commitSpec{files: with(fm2, "README", "hi\n"), parents: []plumbing.Hash{h.c3, h.m2}})
	tr.head(h.same)
	h.wantVendor = []string{h.b1.String(), h.m.String(), h.c2.String(), h.m2.String()}
	slices.Sort(h.wantVendor)
	return h
}

func TestPathHistoryFullHistory(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	ctx := context.Background()
	got, err := PathHistory(ctx, h.tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: BackendGoGit})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, h.wantVendor) {
		t.Errorf("go-git backend: got %v, want %v", got, h.wantVendor)
	}
	// Cross-check with the git binary, and the git backend with both.
	gitSet := lines(runGit(t, h.tr.dir, "log", "--full-history", "--format=%H", "v1..master", "--", "vendor/"))
	if !slices.Equal(gitSet, h.wantVendor) {
		t.Errorf("git log --full-history: got %v, want %v", gitSet, h.wantVendor)
	}
	cli, err := PathHistory(ctx, h.tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: BackendGitCLI})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cli, got) {
		t.Errorf("git backend %v != go-git backend %v", cli, got)
	}
	// Whole tree and a file path agree too.
	for _, ps := range [][]string{{""}, {"src/main.c"}, {"src", "vendor/lib/b.c"}} {
		a, err := PathHistory(ctx, h.tr.dir, "v1", "", ps, HistoryOptions{Backend: BackendGoGit})
		if err != nil {
			t.Fatal(err)
		}
		b, err := PathHistory(ctx, h.tr.dir, "v1", "", ps, HistoryOptions{Backend: BackendGitCLI})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("paths %q: go-git %v, git %v", ps, a, b)
		}
	}
}

func findingsOf(res *Result, rule signing.Rule) []signing.Finding {
	var out []signing.Finding
	for _, f := range res.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func commitsOf(fs []signing.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Commit)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestAuditProtectedUnsigned(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	for _, b := range []Backend{BackendGoGit, BackendAuto} {
		t.Run(b.String(), func(t *testing.T) {
			res, err := Audit(context.Background(), h.tr.dir, Options{
				Since: "v1", Backend: b, Now: epoch.Add(1000 * 24 * 60 * 60 * 1e9),
				Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**", Owners: []string{"alice@example.com"}}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.RangeSize != 9 {
				t.Errorf("range size %d, want 9", res.RangeSize)
			}
			var got []string
			for _, c := range res.Commits {
				got = append(got, c.Hash)
			}
			slices.Sort(got)
			if !slices.Equal(got, h.wantVendor) {
				t.Errorf("protected commits %v, want %v", got, h.wantVendor)
			}
			if c := commitsOf(findingsOf(res, RuleUnsignedProtected)); !slices.Equal(c, h.wantVendor) {
				t.Errorf("unsigned findings on %v, want %v", c, h.wantVendor)
			}
			if c := commitsOf(findingsOf(res, RuleProtectedPathChange)); !slices.Equal(c, h.wantVendor) {
				t.Errorf("protected-path-change findings on %v, want %v", c, h.wantVendor)
			}
			if c := commitsOf(findingsOf(res, RuleUnexpectedAuthor)); !slices.Equal(c, []string{h.b1.String()}) {
				t.Errorf("unexpected-author on %v, want only b1 %s", c, h.b1)
			}
			if len(findingsOf(res, RuleHistoryRewritten)) != 0 {
				t.Error("unexpected history-rewritten")
			}
			for _, c := range res.Commits {
				if c.Hash == h.m.String() {
					if len(c.Files) != 1 || c.Files[0].Path != "vendor/lib/a.c" || c.Files[0].Parent != 0 || c.Files[0].Added != 1 || c.Files[0].Deleted != 1 {
						t.Errorf("merge files: %+v", c.Files)
					}
				}
				if c.Hash == h.c2.String() && (len(c.Files) != 1 || c.Files[0].Status != "added") {
					t.Errorf("c2 files: %+v", c.Files)
				}
			}
			for _, f := range res.Findings {
				if f.Commit != "" && len(f.Commit) != 40 {
					t.Errorf("finding commit %q is not a full id", f.Commit)
				}
			}
		})
	}
}

func TestAuditHistoryRewritten(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	// A release tag on a commit that left the branch.
	gone := h.tr.commit(commitSpec{files: map[string]string{"x": "y\n"}, parents: []plumbing.Hash{h.c1}})
	h.tr.tag("v2", gone, nil)
	res, err := Audit(context.Background(), h.tr.dir, Options{Since: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	fs := findingsOf(res, RuleHistoryRewritten)
	if len(fs) != 1 || fs[0].Commit != gone.String() || fs[0].Severity != signing.SeverityError {
		t.Fatalf("history-rewritten findings: %+v", fs)
	}
	// The good case: v1 is an ancestor.
	res, err = Audit(context.Background(), h.tr.dir, Options{Since: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(findingsOf(res, RuleHistoryRewritten)) != 0 {
		t.Fatal("history-rewritten reported for an ancestor")
	}
	// since == until is an empty range, not a rewrite.
	res, err = Audit(context.Background(), h.tr.dir, Options{Since: "master", Until: "master"})
	if err != nil {
		t.Fatal(err)
	}
	if res.RangeSize != 0 || len(findingsOf(res, RuleHistoryRewritten)) != 0 {
		t.Fatalf("since == until: range %d, findings %+v", res.RangeSize, res.Findings)
	}
}

func TestAuditShallowClone(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	dst := t.TempDir()
	runGit(t, dst, "clone", "-q", "--depth", "2", "--no-single-branch", "file://"+h.tr.dir, "clone")
	_, err := Audit(context.Background(), dst+"/clone", Options{Since: "v1", Backend: BackendGoGit})
	if err == nil || !strings.Contains(err.Error(), "shallow clone") {
		t.Fatalf("error %v, want a shallow-clone hint", err)
	}
}

// TestAuditProgress checks that Progress counts every commit of the range,
// in order, up to its size.
func TestAuditProgress(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	var got []Progress
	res, err := Audit(context.Background(), h.tr.dir, Options{
		Since: "v1", Backend: BackendGoGit, Now: epoch.Add(1000 * 24 * 60 * 60 * 1e9),
		Policy:   &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}},
		Progress: func(p Progress) { got = append(got, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != res.RangeSize {
		t.Fatalf("%d progress calls, range of %d", len(got), res.RangeSize)
	}
	for i, p := range got {
		if p.Commits != i+1 || p.Total != res.RangeSize {
			t.Errorf("call %d: %+v", i, p)
		}
	}
}
