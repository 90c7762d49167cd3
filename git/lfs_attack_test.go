package git

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

const lfsPointerText = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1048576\n"

// TestAttackLFSPointerBinary: a commit adds a Git LFS pointer (with the
// .gitattributes line "git lfs track" writes). It is short plain text, so
// the binary heuristics passed it, yet a checkout with git-lfs writes a
// 1 MiB object fetched from the LFS server in its place: a binary the
// audit never saw. It is now reported as git/binary-added, unless
// binaryAllow covers the path.
func TestAttackLFSPointerBinary(t *testing.T) {
	t.Parallel()
	for _, ptr := range []string{
		lfsPointerText,
		"version https://hawser.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12\n",
	} {
		tr := newTestRepo(t)
		root, base := rtBase(tr)
		c := tr.commit(commitSpec{files: with(base, "tools/protoc", ptr, ".gitattributes", "tools/protoc filter=lfs diff=lfs merge=lfs -text\n"), parents: []plumbing.Hash{root}})
		tr.head(c)
		rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
			fs := findingsOf(res, RuleBinaryAdded)
			if len(fs) != 1 || fs[0].Path != "tools/protoc" || !strings.Contains(fs[0].Message, "Git LFS pointer") {
				t.Errorf("findings %v, want one git/binary-added on tools/protoc naming the LFS pointer", fs)
			}
		})
		rtAudit(t, tr.dir, Options{Since: "v1", Policy: &Policy{Protect: rtVendor, BinaryAllow: []string{"tools/**"}}}, func(t *testing.T, res *Result) {
			rtNone(t, res, RuleBinaryAdded)
		})
	}
}

// TestLFSPointerLookalikes: text that mentions the LFS spec but is no
// pointer git-lfs would smudge is not reported.
func TestLFSPointerLookalikes(t *testing.T) {
	t.Parallel()
	for _, b := range []string{
		"See https://git-lfs.github.com/spec/v1 for the format.\n",
		"version https://git-lfs.github.com/spec/v2\noid sha256:4d7a\nsize 1\n",
		"version https://git-lfs.github.com/spec/v1\nsize 1\n",
		strings.Repeat("x", maxLFSPointer) + lfsPointerText,
	} {
		if r := lfsPointer([]byte(b), int64(len(b))); r != "" {
			t.Errorf("lfsPointer(%.60q) = %q, want none", b, r)
		}
	}
	if r := lfsPointer([]byte(lfsPointerText), int64(len(lfsPointerText))); !strings.Contains(r, "1048576-byte object") {
		t.Errorf("lfsPointer(pointer) = %q", r)
	}
}
