package git

import (
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackSignedTagReplayedUnderNewName: refs/tags/v2.0 points at the
// signed tag object of v1.0 (tag header "v1.0", Alice's good signature).
// Releasing "v2.0" then builds v1.0's commit, with a valid signature by an
// allowed key on the tag: a rollback to the old release under the new name,
// which the audit passed. git describe warns ("externally known as"); the
// audit reports git/tag-name-mismatch. A tag whose ref and object agree is
// not reported.
func TestAttackSignedTagReplayedUnderNewName(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	alice := newSSHKey(t)
	old := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}})
	v10 := tr.tag("v1.0", old, alice.sign)
	cur := tr.commit(commitSpec{files: with(base, "src/main.c", "m3\n"), parents: []plumbing.Hash{old}})
	tr.head(cur)
	tr.ref("refs/tags/v2.0", v10)
	as := AllowedSigners{{Principals: []string{"alice@example.com"}, Key: alice.pub}}
	for _, until := range []string{"v2.0", "tags/v2.0", "refs/tags/v2.0"} {
		rtAudit(t, tr.dir, Options{Since: "v1", Until: until, AllowedSigners: as}, func(t *testing.T, res *Result) {
			rtHas(t, res, RuleTagNameMismatch, v10)
		})
	}
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v2.0", AllowedSigners: as}, func(t *testing.T, res *Result) {
		last := res.Tags[len(res.Tags)-1]
		if last.Name != "v1.0" || last.Signature == nil || last.Signature.Status != signing.StatusValid {
			t.Fatalf("until tag %+v, want v1.0's good signature", last)
		}
		rtNone(t, res, RuleSignerNotAllowed)
		rtHas(t, res, RuleTagNameMismatch, v10)
	})
	// An unsigned tag named v3.0 wrapping v1.0's signed tag object.
	wrap := fmt.Sprintf("object %s\ntype tag\ntag v3.0\ntagger Mallory <mallory@example.com> %d +0000\n\nrelease v3.0\n", v10, epoch.Unix())
	tr.ref("refs/tags/v3.0", tr.put(plumbing.TagObject, []byte(wrap)))
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v3.0", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleTagNameMismatch, v10)
	})
	for _, until := range []string{"v1.0", "refs/tags/v1.0", v10.String()} {
		rtAudit(t, tr.dir, Options{Since: "v1", Until: until, AllowedSigners: as}, func(t *testing.T, res *Result) {
			rtNone(t, res, RuleTagNameMismatch)
		})
	}
}
