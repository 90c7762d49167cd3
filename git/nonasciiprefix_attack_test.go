package git

import "testing"

// TestAttackNonASCIIPrefixGitBackend: vendor/müller/** and über/** are
// protected and the audit runs with the git backend named (--backend git,
// which the auto backend avoids for such prefixes). Unsigned commits add
// vendor/MÜLLER/x.c, vendor/mu\u0308ller/y.c (NFD), U\u0308BER/sub/x.c and a
// file ÜBER above über/sub. git's icase pathspecs fold ASCII letters only
// and compare NFC and NFD spellings as different bytes, so git rev-list did
// not list them and the audit passed, where the go-git backend reported
// them. A run of non-ASCII bytes is now a wildcard in the pathspecs
// (looseGlob); with caseSensitivePaths the NFD spelling is still found.
func TestAttackNonASCIIPrefixGitBackend(t *testing.T) {
	t.Parallel()
	paths := []string{"vendor/M\u00dcLLER/x.c", "vendor/mu\u0308ller/y.c", "vendor/m\u00fcller./z.c", "U\u0308BER/sub/x.c", "\u00dcBER", "vendor\\MU\u0308LLER\\w.c"}
	base := map[string]string{"vendor/m\u00fcller/a.c": "a\n", "\u00fcber/sub/b.c": "b\n", "src/m.c": "m\n"}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, base, append([]string{"vendor/mueller/ok.c"}, paths...))
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/m\u00fcller/**"}, {Path: "\u00fcber/sub/**"}}}
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: pol}, paths, cs[1:])
	rtNoneOn(t, res, cs[0])
	cs2 := &Policy{Protect: pol.Protect, CaseSensitivePaths: true}
	res = auditBothBackends(t, tr.dir, Options{Since: "v1", Policy: cs2})
	rtHas(t, res, RuleUnsignedProtected, cs[2])
}

// rtNoneOn fails if res has an unsigned-protected-change finding on c.
func rtNoneOn(t *testing.T, res *Result, c interface{ String() string }) {
	t.Helper()
	for _, f := range findingsOf(res, RuleUnsignedProtected) {
		if f.Commit == c.String() {
			t.Errorf("unprotected change reported: %v", f)
		}
	}
}
