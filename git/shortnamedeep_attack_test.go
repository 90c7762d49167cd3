package git

import "testing"

// TestAttackShortNameBelowWildcard: **/secrets/** and lib/**/vendor/**
// are protected, d/secrets and lib/x/y/vendor exist, and unsigned commits
// add d/SECRET~1/k2 or lib/x/y/VENDOR~1/evil.c. On an NTFS volume with
// short names on, the checkout writes them into d/secrets and
// lib/x/y/vendor. Short names were resolved against a protect glob's
// literal prefix only, so both backends passed the commits.
func TestAttackShortNameBelowWildcard(t *testing.T) {
	t.Parallel()
	paths := []string{"d/SECRET~1/k2", "d/e/secre~2/k", "lib/x/y/VENDOR~1/evil.c", "lib/x/VE1A2B~3/evil.c"}
	base := map[string]string{"d/secrets/k": "k\n", "d/e/secrets/k": "k\n", "lib/x/y/vendor/v.c": "v\n", "lib/x/vendor/v.c": "v\n", "docs/readme": "r\n"}
	policy := &Policy{Protect: []ProtectRule{{Path: "**/secrets/**"}, {Path: "lib/**/vendor/**"}}}
	tr := newTestRepo(t)
	neg, pos := aliasInterleaved(t, tr, base, []string{"d/OTHER~1/k", "lib/x/VENDOX~1.C"}, paths)
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: policy}, paths, pos)
	for _, c := range neg {
		rtNoneOn(t, res, c)
	}
}
