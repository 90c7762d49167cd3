package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackForgedCommitGraphHidesVendorDrift: vendor/lib is pinned by a
// git-subtree-split trailer to a split commit of this repository, in the
// history of v1; the vendored code was patched at v1, so it drifts from the
// split's tree. A commit-graph naming the patched tree as the split
// commit's made the drift check compare the patched code with itself: the
// drift vanished, the audit passed. The pin's commit is read from its
// object, as the walk's commits are checked against theirs.
func TestAttackForgedCommitGraphHidesVendorDrift(t *testing.T) {
	t.Parallel()
	gitBin(t)
	tr := newTestRepo(t)
	split := tr.commit(commitSpec{files: map[string]string{"lib.c": "up\n"}})
	c0 := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n"}})
	trailer := "\n\ngit-subtree-dir: vendor/lib\ngit-subtree-mainline: " + c0.String() + "\ngit-subtree-split: " + split.String() + "\n"
	m := tr.commit(commitSpec{files: map[string]string{"main.c": "m\n", "vendor/lib/lib.c": "patched\n"}, parents: []plumbing.Hash{c0, split}, msg: "Add vendor/lib" + trailer})
	tr.tag("v1", m, nil)
	c1 := tr.commit(commitSpec{files: map[string]string{"main.c": "m2\n", "vendor/lib/lib.c": "patched\n"}, parents: []plumbing.Hash{m}, msg: "Pull vendor/lib" + trailer})
	tr.head(c1)
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := r.commit(c1)
	if err != nil {
		t.Fatal(err)
	}
	patched, err := r.entryAt(cc.tree, "vendor/lib")
	r.close()
	if err != nil {
		t.Fatal(err)
	}
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleVendorDrift, plumbing.ZeroHash)
	})
	forgeGraph(t, tr, func(b []byte, g *commitGraph) {
		i := cdatOf(t, tr, b, split)
		copy(b[i:i+20], patched.hash[:])
	})
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleVendorDrift, plumbing.ZeroHash)
	})
}
