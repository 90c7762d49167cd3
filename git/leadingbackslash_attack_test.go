package git

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackLeadingBackslashElement: a/b/c/d/** is protected and an
// unsigned commit adds a/\b/c/d/x.c (a tree entry "\b" under a), or
// \third_party/zlib/x.c at the root, or a/b/\\c\d/x.c. Windows reads a
// leading separator in an element as an empty element, and tar and 7-Zip
// on Windows drop empty elements (a leading one too, as they strip a
// root), so each writes under the protected directory. The walk took a
// backslash name for the element before its first backslash, "" here,
// and both backends passed the commit.
func TestAttackLeadingBackslashElement(t *testing.T) {
	t.Parallel()
	paths := []string{"a/\\b/c/d/x.c", "\\third_party/zlib/x.c", "\\\\third_party\\zlib\\x.c", "a/b/\\\\c\\d/x.c",
		"a/\\/b/c/d/x.c", "\\/src/kernel/x.c", "a/b/c/\\d", "\\src"}
	tr := newTestRepo(t)
	neg, pos := aliasInterleaved(t, tr, aliasBase, []string{"\\third_party/other/y.c"}, paths)
	res := aliasFlagged(t, tr.dir, Options{Since: "v1", Policy: aliasPolicy}, paths, pos)
	for _, f := range findingsOf(res, RuleUnsignedProtected) {
		if f.Commit == neg[0].String() {
			t.Errorf("unprotected path reported: %v", f)
		}
	}
}

// TestBackslashOnlyNamesBounded: names made only of backslashes stand for
// no element, so a tree holding "\" and "\\" over one shared subtree, 13
// levels deep, stands for 2^13 paths at a/b; the folded walk stops with an
// error instead of multiplying them without bound.
func TestBackslashOnlyNamesBounded(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	blob := tr.put(plumbing.BlobObject, []byte("k\n")).String()
	h := tr.rawTree([][3]string{{"100644", "k", blob}})
	h = tr.rawTree([][3]string{{"40000", "b", h.String()}})
	h = tr.rawTree([][3]string{{"40000", "a", h.String()}})
	for range 13 {
		h = tr.rawTree([][3]string{{"40000", "\\", h.String()}, {"40000", "\\\\", h.String()}})
	}
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	r.foldPaths = true
	if _, err := r.entriesAbove(h, "a/b"); err == nil || !strings.Contains(err.Error(), "entries at one level") {
		t.Fatalf("err = %v, want the walk bounded", err)
	}
}
