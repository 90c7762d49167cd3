package git

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackBackdatedCommitByRetiredKey: Alice's allowed_signers line ends
// at retired (valid-before). After it, someone who still holds her key
// commits a vendor change on top of a commit made after retired, dating the
// commit before retired. As git does, the signature is checked at the
// commit's own committer date, so it passed as Alice's. A commit cannot
// have been made before its parent: the key is checked at the parent's
// committer date too, and the backdating is a git/date-anomaly. A commit
// signed before retired on a parent made before retired still passes. A
// tag signed by the retired key and dated before the commit it names is
// checked at the commit's date in the same way.
func TestAttackBackdatedCommitByRetiredKey(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	alice := newSSHKey(t)
	retired := epoch.Add(48 * time.Hour)
	ok := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "fix\n"), parents: []plumbing.Hash{root}, when: retired.Add(-2 * time.Hour), sign: alice.sign})
	later := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "fix\n", "src/main.c", "m2\n"), parents: []plumbing.Hash{ok}, when: retired.Add(24 * time.Hour)})
	evil := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n", "src/main.c", "m2\n"), parents: []plumbing.Hash{later}, when: retired.Add(-time.Hour), sign: alice.sign})
	tr.head(evil)
	as := AllowedSigners{{Principals: []string{"alice@example.com"}, Key: alice.pub, ValidBefore: retired}}
	rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, evil)
		rtHas(t, res, RuleDateAnomaly, evil)
		rtNone(t, res, RuleBadSignature)
		for _, f := range res.Findings {
			if f.Commit == ok.String() && f.Rule != RuleProtectedPathChange {
				t.Errorf("commit signed in time reported: %v", f)
			}
		}
	})
	v2 := tr.tag("v2", later, alice.sign) // tagger date: epoch, before retired
	tr.tag("v0", ok, alice.sign)
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v2", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, v2)
	})
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v0", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleSignerNotAllowed)
	})
}

// TestAttackFutureDatedCommitByKeyNotYetValid: a new key's allowed_signers
// line starts at activate (valid-after), after the audit time. Its holder
// signs a vendor change (and a tag) dated after activate, in the future:
// checked at that date, as git does, the signature passed, with only a
// date-anomaly warning. Nothing is made after the audit, so the key is
// checked at the audit time too, where it is not valid yet.
func TestAttackFutureDatedCommitByKeyNotYetValid(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	newKey := newSSHKey(t)
	now := epoch.Add(30 * 24 * time.Hour)
	activate := now.Add(60 * 24 * time.Hour)
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}, when: activate.Add(time.Hour), sign: newKey.sign})
	tr.head(c)
	body := fmt.Sprintf("object %s\ntype commit\ntag v2\ntagger Alice <alice@example.com> %d +0000\n\nrelease v2\n", c, activate.Add(2*time.Hour).Unix())
	v2 := tr.put(plumbing.TagObject, []byte(body+newKey.sign([]byte(body))))
	tr.ref("refs/tags/v2", v2)
	as := AllowedSigners{{Principals: []string{"alice@example.com"}, Key: newKey.pub, ValidAfter: activate}}
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v2", Now: now, AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, c)
		rtHas(t, res, RuleSignerNotAllowed, v2)
	})
	// Once the key is valid, the same history passes the signature checks.
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v2", Now: activate.Add(24 * time.Hour), AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleSignerNotAllowed)
	})
}

// TestAttackBackdatedCommitKeepsRetiredPrincipal: one key, two
// allowed_signers lines: alice@example.com until retired, bob@example.com
// with no end. A vendor change only alice may sign, committed after retired
// but dated before it, verifies at both dates (bob's line) and passed as
// alice's: only the principals allowed at both dates count.
func TestAttackBackdatedCommitKeepsRetiredPrincipal(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	k := newSSHKey(t)
	retired := epoch.Add(48 * time.Hour)
	later := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}, when: retired.Add(24 * time.Hour)})
	evil := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n", "src/main.c", "m2\n"), parents: []plumbing.Hash{later}, when: retired.Add(-time.Hour), sign: k.sign})
	ok := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n", "src/main.c", "m2\n", "third_party/x.c", "x\n"), parents: []plumbing.Hash{evil}, when: retired.Add(48 * time.Hour), sign: k.sign})
	tr.head(ok)
	as := AllowedSigners{
		{Principals: []string{"alice@example.com"}, Key: k.pub, ValidBefore: retired},
		{Principals: []string{"bob@example.com"}, Key: k.pub},
	}
	rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: as}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, evil)
		for _, f := range findingsOf(res, RuleSignerNotAllowed) {
			if f.Commit == ok.String() {
				t.Errorf("third_party change signed by bob's line reported: %v", f)
			}
		}
	})
}
