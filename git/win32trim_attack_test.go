package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackTrailingDotOrSpace: vendor/** is protected and unsigned
// commits add "vendor./x.c" and "vendor /y.c". Windows removes the dots
// and spaces that end a path element, so tar and 7-Zip extracting the
// release there (and git with core.protectNTFS off) write both files into
// vendor/; git for Windows refuses the checkout outright. They were other
// paths to the audit and passed. With folded paths they are now vendor;
// with caseSensitivePaths (never checked out on Windows) they stay apart.
func TestAttackTrailingDotOrSpace(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/a.c": "a\n", "src/main.c": "m\n", "docs/...": "dots\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	dot := tr.commit(commitSpec{files: with(base, "vendor./x.c", "evil\n"), parents: []plumbing.Hash{root}})
	space := tr.commit(commitSpec{files: with(with(base, "vendor./x.c", "evil\n"), "vendor /y.c", "evil\n"), parents: []plumbing.Hash{dot}})
	other := tr.commit(commitSpec{files: with(with(with(base, "vendor./x.c", "evil\n"), "vendor /y.c", "evil\n"), "src/b.", "b\n"), parents: []plumbing.Hash{space}})
	tr.head(other)
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, dot)
		rtHas(t, res, RuleUnsignedProtected, space)
		for _, f := range res.Findings {
			if f.Commit == other.String() {
				t.Errorf("unprotected src/b. reported: %v", f)
			}
		}
	})
	cs := &Policy{Protect: pol.Protect, CaseSensitivePaths: true}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: cs}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleUnsignedProtected)
	})
}

// TestAttackBackslashName: an unsigned commit adds the root file
// "vendor\x.c" (and "third_party\zlib\y.c" under a deeper protected
// path). Windows reads a backslash as a separator, so tar and 7-Zip
// extracting the release there write vendor/x.c; git for Windows refuses
// the checkout. With folded paths the names are now under the protected
// directories.
func TestAttackBackslashName(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/a.c": "a\n", "third_party/zlib/z.c": "z\n", "src/main.c": "m\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	c1 := tr.commit(commitSpec{files: with(base, "vendor\\x.c", "evil\n"), parents: []plumbing.Hash{root}})
	c2 := tr.commit(commitSpec{files: with(with(base, "vendor\\x.c", "evil\n"), "third_party\\zlib\\y.c", "evil\n"), parents: []plumbing.Hash{c1}})
	c3 := tr.commit(commitSpec{files: with(with(with(base, "vendor\\x.c", "evil\n"), "third_party\\zlib\\y.c", "evil\n"), "third_party\\other.c", "o\n"), parents: []plumbing.Hash{c2}})
	tr.head(c3)
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**"}, {Path: "third_party/zlib/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, c1)
		rtHas(t, res, RuleUnsignedProtected, c2)
		for _, f := range res.Findings {
			if f.Commit == c3.String() {
				t.Errorf("unprotected third_party\\other.c reported: %v", f)
			}
		}
	})
}
