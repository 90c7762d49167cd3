package git

import "testing"

// TestAttackTrailingDotProtectRule: the protect rule vendor./x/** (or
// "lib /z/**") names, as Windows reads it, vendor/x, and an unsigned
// commit adds a file vendor (or VENDOR, lib) where the directory stands,
// or writes under vendor/x/. The walk folds the rule's elements; the git
// backend's ancestor pathspecs spelled them as written, matched only
// vendor., and the git backend passed the commit the go-git one failed.
func TestAttackTrailingDotProtectRule(t *testing.T) {
	t.Parallel()
	paths := []string{"vendor", "VENDOR", "vendor/x/y.c", "Vendor/X/y.c", "lib", "lib/z/y.c", "LIB/z"}
	base := map[string]string{"docs/readme": "r\n"}
	policy := &Policy{Protect: []ProtectRule{{Path: "vendor./x/**"}, {Path: "lib /z/**"}}}
	tr := newTestRepo(t)
	neg, pos := aliasInterleaved(t, tr, base, []string{"vendorx"}, paths)
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: policy}, paths, pos)
	for _, f := range findingsOf(res, RuleUnsignedProtected) {
		if f.Commit == neg[0].String() {
			t.Errorf("unprotected path reported: %v", f)
		}
	}
}
