package git

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackPGPSharedEmailImpersonation: the path's signers name
// alice@example.com, and the keyring (a project's KEYS file of every
// contributor's key) holds Alice's key and Mallory's, whose user ID also
// claims alice@example.com (a user ID is only its key holder's claim).
// Mallory's signature on a vendor change counted as Alice's. An address
// that several keys able to sign claim now names none of them; the policy
// must name the key by fingerprint, which then admits Alice's key only.
func TestAttackPGPSharedEmailImpersonation(t *testing.T) {
	t.Parallel()
	alice := newPGPKey(t, "Alice", "alice@example.com")
	mallory := newPGPKey(t, "Alice", "alice@example.com")
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	evil := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}, sign: mallory.sign})
	good := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "good\n"), parents: []plumbing.Hash{root}, sign: alice.sign})
	tr.head(tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "good\n"), parents: []plumbing.Hash{evil, good}, sign: alice.sign}))

	both := openpgp.EntityList{alice.e, mallory.e}
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: both}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, evil)
		// Fail closed: the address is ambiguous for Alice's key too, and
		// the finding says how to fix the policy.
		rtHas(t, res, RuleSignerNotAllowed, good)
		for _, f := range findingsOf(res, RuleSignerNotAllowed) {
			if !strings.Contains(f.Message, "by fingerprint") {
				t.Errorf("finding does not say why: %s", f.Message)
			}
		}
	})
	fp := strings.ToUpper(hex.EncodeToString(alice.e.PrimaryKey.Fingerprint))
	pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**", Signers: []string{fp}}}}
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: both, Policy: pol}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, evil)
		for _, f := range res.Findings {
			if f.Commit == good.String() && f.Severity == signing.SeverityError {
				t.Errorf("Alice's key named by fingerprint: %v", f)
			}
		}
	})
	// Alone in the keyring, Alice's address still names her key.
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: alice.keyring(t)}, func(t *testing.T, res *Result) {
		for _, f := range res.Findings {
			if f.Commit == good.String() && f.Severity == signing.SeverityError {
				t.Errorf("only key claiming the address: %v", f)
			}
		}
	})
}
