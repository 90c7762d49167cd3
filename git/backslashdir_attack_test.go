package git

import "testing"

// TestAttackBackslashDirectorySpansPositions: third_party/zlib/** is
// protected and an unsigned commit adds third_party\zlib/y.c, a directory
// whose name holds a backslash, with a file in it (and a\b/c/d/x.c under
// a/b/c/d/**, and a file a/b\c where the directory a/b/c stands). tar and
// 7-Zip on Windows read the backslash as a separator and write
// third_party/zlib/y.c. The folded walk matched the directory at
// third_party (the name before the backslash) and then looked for zlib
// inside it, found nothing, and the audit passed on both backends; a
// backslash file above the prefix was not taken for an ancestor either.
// Each element a backslash name stands for is now matched against the
// prefix's next ones.
func TestAttackBackslashDirectorySpansPositions(t *testing.T) {
	t.Parallel()
	paths := []string{"third_party\\zlib/y.c", "Third_Party\\ZLIB./y.c", "a\\b/c/d/x.c", "a/b\\c/d/x.c", "a\\b\\c/d/x.c", "a/b\\C~1/d/x.c", "a/b\\c", "a\\\\b\\c\\d/x.c"}
	tr := newTestRepo(t)
	cs := aliasChain(t, tr, aliasBase, append([]string{"third_party\\other/y.c", "a/b\\x/d/x.c"}, paths...))
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, cs[2:])
	for _, f := range findingsOf(res, RuleUnsignedProtected) {
		if f.Commit == cs[0].String() || f.Commit == cs[1].String() {
			t.Errorf("unprotected path reported: %v", f)
		}
	}
}
