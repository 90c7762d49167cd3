package git

import "testing"

// TestAttackNFCSingletonTwin: lib;x/** and a`b/c/** are protected and
// unsigned commits add lib\u037ex/evil.c (GREEK QUESTION MARK) and
// a\u1fefb/c/evil.c (GREEK VARIA), and a file a\u1fefb where the
// directory a`b stands. Both code points are NFC singletons of ";" and
// "`", so APFS and HFS+ find the protected directories by those names, as
// the in-process walk does; git's icase pathspecs compare the bytes, so
// the git backend listed none of these commits and the audit passed.
func TestAttackNFCSingletonTwin(t *testing.T) {
	t.Parallel()
	paths := []string{"lib\u037ex/evil.c", "a\u1fefb/c/evil.c", "a\u1fefb", "LIB\u037eX/evil.c"}
	base := map[string]string{"lib;x/a.c": "a\n", "a`b/c/z.c": "z\n", "src/main.c": "m\n"}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, base, paths)
	pol := &Policy{Protect: []ProtectRule{{Path: "lib;x/**"}, {Path: "a`b/c/**"}}}
	aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: pol}, paths, cs)
}
