package git

import "testing"

// TestAttackNonASCIIShortName: deps/über/** and deps/müller/** are
// protected and an unsigned commit adds deps/_BER~1/x.c or
// deps/M_LLER~1/x.c. NTFS makes "_" of each character of a long name
// that is not valid in an 8.3 name (every non-ASCII one, by default), so
// on a volume with short names on, where deps/über exists, the checkout
// writes into it. shortNameAlias refused any short name for a long name
// with a non-ASCII character, and both backends passed the commit.
func TestAttackNonASCIIShortName(t *testing.T) {
	t.Parallel()
	paths := []string{"deps/_BER~1/x.c", "deps/_ber~2/x.c", "DEPS/M_LLER~1/x.c", "deps/MU_LLE~1/x.c", "deps/M_1F2A~5/x.c",
		"deps/_BER~1", "deps/CAF_~1.TX_/x.c", "deps/_FF6~1/x.c", "deps/__FF6~1/x.c"}
	base := map[string]string{"deps/\u00fcber/k.c": "k\n", "deps/m\u00fcller/k.c": "k\n", "deps/caf\u00e9.tx\u00e9/k.c": "k\n",
		"deps/\U0001F600ff6/k.c": "k\n", "docs/readme": "r\n"}
	policy := &Policy{Protect: []ProtectRule{{Path: "deps/\u00fcber/**"}, {Path: "deps/m\u00fcller/**"},
		{Path: "deps/caf\u00e9.tx\u00e9/**"}, {Path: "deps/\U0001F600ff6/**"}}}
	tr := newTestRepo(t)
	neg, pos := aliasInterleaved(t, tr, base, []string{"deps/_ZER~1/x.c", "deps/M_LLERX~1/x.c"}, paths)
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: policy}, paths, pos)
	for _, f := range findingsOf(res, RuleUnsignedProtected) {
		if f.Commit == neg[0].String() || f.Commit == neg[1].String() {
			t.Errorf("unprotected path reported: %v", f)
		}
	}
}
