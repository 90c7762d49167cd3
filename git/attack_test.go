package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestProtectedPathsFoldNonASCIILetters: a commit under a variant of a
// protected directory spelled with a non-ASCII letter that case-folds to
// an ASCII one (dotless ı and İ to i, long ſ to s, the Kelvin sign to k:
// NTFS's upcase table and APFS merge them with the ASCII names) is reported
// under the protected glob by both history backends, as MatchFold does for
// release paths.
func TestProtectedPathsFoldNonASCIILetters(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	files := map[string]string{"third_party/ffmpeg/f.c": "f1\n", "tools/build.sh": "b1\n", "lib/kernel/k.c": "k1\n", "src/main.c": "m1\n"}
	root := tr.commit(commitSpec{files: files})
	tr.tag("v1", root, nil)
	parent := root
	var evil []plumbing.Hash
	for _, p := range []string{"thırd_party/ffmpeg/f.c", "toolſ/build.sh", "lib/\u212aernel/k.c", "THİRD_PARTY/ffmpeg/f.c"} {
		files = maps(files)
		files[p] = "evil\n"
		parent = tr.commit(commitSpec{files: files, parents: []plumbing.Hash{parent}, author: "Mallory <mallory@example.com>"})
		evil = append(evil, parent)
	}
	files = maps(files)
	files["src/main.c"] = "m2\n"
	tr.head(tr.commit(commitSpec{files: files, parents: []plumbing.Hash{parent}}))
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party/**"}, {Path: "tools"}, {Path: "lib/kernel/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		for _, c := range evil {
			rtHas(t, res, RuleProtectedPathChange, c)
		}
		if len(res.Commits) != len(evil) {
			t.Errorf("%d protected commits, want %d", len(res.Commits), len(evil))
		}
	})
}
