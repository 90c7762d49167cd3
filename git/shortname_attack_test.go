package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackShortNameAlias: third_party_libs/** is protected and an
// unsigned commit adds third_~1/evil.c. On an NTFS volume with 8.3 names
// (the Windows default for C:), third_party_libs' short name is
// THIRD_~1 (the lower-case spelling sorts after third_party_libs, so even
// a fresh clone has created the directory when git reaches it): git for
// Windows finds the directory by that name and writes
// third_party_libs/evil.c, guarding only .git's short name. No
// protected path changed in git's eyes, so the audit passed. Unchecked
// against Windows here (no NTFS); the path resolution is Windows'
// documented short-name generation.
func TestAttackShortNameAlias(t *testing.T) {
	t.Parallel()
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party_libs/**"}, {Path: "deps/zlib-1.3/**"}}}
	for _, p := range []string{"third_~1/evil.c", "THIRD_~2/evil.c", "THF2B3~1/evil.c", "deps/ZLIB-1~1.3/evil.c"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			tr := newTestRepo(t)
			base := map[string]string{"third_party_libs/a.c": "a\n", "deps/zlib-1.3/z.c": "z\n", "src/main.c": "m\n"}
			root := tr.commit(commitSpec{files: base})
			tr.tag("v1", root, nil)
			c := tr.commit(commitSpec{files: with(base, p, "evil\n"), parents: []plumbing.Hash{root}})
			tr.head(c)
			rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
				rtHas(t, res, RuleUnsignedProtected, c)
			})
		})
	}
	// Names that cannot be its short name, and exact case matching.
	for _, tc := range []struct {
		p   string
		pol *Policy
	}{
		{"other~1/x.c", pol},
		{"third_~1.c", pol},
		{"third_~0/x.c", pol},
		{"third_~1/x.c", &Policy{Protect: pol.Protect, CaseSensitivePaths: true}},
	} {
		tr := newTestRepo(t)
		base := map[string]string{"third_party_libs/a.c": "a\n", "deps/zlib-1.3/z.c": "z\n"}
		root := tr.commit(commitSpec{files: base})
		tr.tag("v1", root, nil)
		c := tr.commit(commitSpec{files: with(base, tc.p, "x\n"), parents: []plumbing.Hash{root}})
		tr.head(c)
		rtAudit(t, tr.dir, Options{Since: "v1", Policy: tc.pol}, func(t *testing.T, res *Result) {
			rtNone(t, res, RuleUnsignedProtected)
		})
	}
}

func TestShortNameAlias(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, long string
		want       bool
	}{
		{"THIRD_~1", "third_party_libs", true},
		{"third~12", "third_party_libs", true},
		{"third_~12", "third_party_libs", false},
		{"TH~1", "third_party_libs", true},
		{"THF2B3~1", "third_party_libs", true},
		{"PROGRA~1", "Program Files", true},
		{"ZLIB-1~1.3", "zlib-1.3", true},
		{"ZLIB-1~1", "zlib-1.3", false},
		{"A_B~1", "a+b c", true},
		{"THIRD_~1", "vendor", false},
		{"THIRD_~1", "THIRD_~1", false},
		{"THIRDP~1X", "third_party_libs", false},
		{"THIRD_~01", "third_party_libs", false},
		{"THIRDPART~1", "third_party_libs", false},
	} {
		if got := shortNameAlias(c.name, c.long); got != c.want {
			t.Errorf("shortNameAlias(%q, %q) = %v, want %v", c.name, c.long, got, c.want)
		}
	}
}
