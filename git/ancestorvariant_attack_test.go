package git

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackSymlinkVariantOfProtectedAncestor: third_party/zlib/** is
// protected and the tree holds it as Third_Party/zlib. A commit adds
// "third_party", a symlink to evil/, whose zlib/a.c is the payload. Nothing
// under third_party/zlib changes, so the commit was no protected change;
// but on a case-insensitive file system the two names are one, and a forced
// checkout (git checkout -f, as CI runners do) writes Third_Party/zlib/a.c,
// then meets "third_party", removes the directory in its way and puts the
// symlink there: the build reads evil/zlib/a.c as the vendored zlib. A
// file, symlink or submodule whose path is that of a directory above a
// protected prefix but for case takes the prefix's place, and is a change
// to it (both backends). A variant that is a directory of its own is not.
func TestAttackSymlinkVariantOfProtectedAncestor(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"Third_Party/zlib/a.c": "good\n", "src/main.c": "m\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	evil := tr.commit(commitSpec{files: with(base, "third_party", "symlink:evil", "evil/zlib/a.c", "payload\n"), parents: []plumbing.Hash{root}})
	dir := tr.commit(commitSpec{files: with(base, "third_party", "symlink:evil", "evil/zlib/a.c", "payload\n", "THIRD_PARTY/other/x.c", "x\n"), parents: []plumbing.Hash{evil}})
	tr.head(dir)
	pol := &Policy{Protect: []ProtectRule{{Path: "third_party/zlib/**"}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, evil)
		var got []string
		for _, c := range res.Commits {
			got = append(got, c.Hash)
			if c.Hash == evil.String() && (len(c.Files) != 1 || c.Files[0].Path != "third_party" || c.Files[0].Status != "added") {
				t.Errorf("files %+v, want third_party added", c.Files)
			}
		}
		if !slices.Equal(got, []string{evil.String()}) {
			t.Errorf("protected commits %v, want only %s", got, evil)
		}
	})
}

// TestAttackSubmoduleAboveProtectedPrefix: third_party/zlib/** is protected
// and third_party is a submodule, whose checkout holds third_party/zlib.
// Bumping the submodule to another commit changes the protected code, but
// nothing at third_party/zlib changed in this repository's trees, so the
// bump was no protected change. A submodule (or symlink, or file) above a
// protected prefix now counts, with case-sensitive paths too, with every
// backend.
func TestAttackSubmoduleAboveProtectedPrefix(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	blob := tr.put(plumbing.BlobObject, []byte("m\n")).String()
	src := tr.rawTree([][3]string{{"100644", "main.c", blob}}).String()
	root := func(sub string) plumbing.Hash {
		return tr.rawTree([][3]string{{"40000", "src", src}, {"160000", "third_party", sub}})
	}
	c1 := tr.put(plumbing.CommitObject, []byte(rtCommitText(root(strings.Repeat("1", 40)), nil, epoch, "c1\n")))
	tr.tag("v1", c1, nil)
	c2 := tr.put(plumbing.CommitObject, []byte(rtCommitText(root(strings.Repeat("2", 40)), []plumbing.Hash{c1}, epoch.Add(time.Hour), "bump\n")))
	tr.head(c2)
	for _, cs := range []bool{false, true} {
		pol := &Policy{Protect: []ProtectRule{{Path: "third_party/zlib/**"}}, CaseSensitivePaths: cs}
		for _, b := range []Backend{BackendGoGit, BackendAuto, BackendGitCLI} {
			if b == BackendGitCLI && findGit() == "" {
				continue
			}
			res, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: b, Policy: pol, Now: epoch.Add(24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			rtHas(t, res, RuleUnsignedProtected, c2)
		}
	}
}
