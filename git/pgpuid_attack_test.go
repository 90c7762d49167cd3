package git

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackPGPRevokedUserIDStillSigner: the path's signers name
// alice@example.com, and the keyring holds a key whose user ID
// "Alice <alice@example.com>" its owner has revoked (it now is only
// "Alice <alice@home.example>"). The key still counted as
// alice@example.com: a revoked user ID, or one whose binding signature has
// expired, no longer ties the key to that address (gpg lists it as
// "[revoked]"), so it must not make the key an allowed signer. The same key
// with the user ID in force still is one.
func TestAttackPGPRevokedUserIDStillSigner(t *testing.T) {
	t.Parallel()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return epoch.Add(-24 * time.Hour) }}
	e, err := openpgp.NewEntity("Alice", "", "alice@home.example", cfg)
	if err != nil {
		t.Fatal(err)
	}
	uid := packet.NewUserId("Alice", "", "alice@example.com")
	self := &packet.Signature{Version: e.PrimaryKey.Version, SigType: packet.SigTypePositiveCert, PubKeyAlgo: e.PrimaryKey.PubKeyAlgo,
		Hash: cfg.Hash(), CreationTime: cfg.Now(), IssuerKeyId: &e.PrimaryKey.KeyId, IssuerFingerprint: e.PrimaryKey.Fingerprint}
	if err := self.SignUserId(uid.Id, e.PrimaryKey, e.PrivateKey, cfg); err != nil {
		t.Fatal(err)
	}
	e.Identities[uid.Id] = &openpgp.Identity{Name: uid.Id, UserId: uid, SelfSignature: self, Signatures: []*packet.Signature{self}}
	withUID := reread(t, e)
	rev := &packet.Signature{Version: e.PrimaryKey.Version, SigType: packet.SigTypeCertificationRevocation, PubKeyAlgo: e.PrimaryKey.PubKeyAlgo,
		Hash: cfg.Hash(), CreationTime: epoch.Add(-time.Hour), IssuerKeyId: &e.PrimaryKey.KeyId, IssuerFingerprint: e.PrimaryKey.Fingerprint}
	if err := rev.SignUserId(uid.Id, e.PrimaryKey, e.PrivateKey, cfg); err != nil {
		t.Fatal(err)
	}
	e.Identities[uid.Id].Revocations = []*packet.Signature{rev}
	e.Identities[uid.Id].Signatures = append(e.Identities[uid.Id].Signatures, rev)
	revoked := reread(t, e)
	if id := revoked.Identities[uid.Id]; id == nil || len(id.Revocations) != 1 {
		t.Fatalf("re-read key lost the revocation: %+v", id)
	}

	tr := newTestRepo(t)
	root, base := rtBase(tr)
	k := &pgpKey{e: e}
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}, sign: k.sign})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: openpgp.EntityList{revoked}}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleSignerNotAllowed, c)
		if len(res.Commits) != 1 || res.Commits[0].Signature == nil || strings.Contains(res.Commits[0].Signature.Signer, "alice@example.com") {
			t.Errorf("signer shown as the revoked user ID: %+v", res.Commits)
		}
	})
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: openpgp.EntityList{withUID}}, func(t *testing.T, res *Result) {
		for _, f := range res.Findings {
			if f.Severity == signing.SeverityError {
				t.Errorf("key with the user ID in force: %v", f)
			}
		}
	})
}

// reread serializes e's public key and reads it back, as a keyring file is.
func reread(t *testing.T, e *openpgp.Entity) *openpgp.Entity {
	t.Helper()
	var b bytes.Buffer
	if err := e.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	el, err := openpgp.ReadKeyRing(&b)
	if err != nil || len(el) != 1 {
		t.Fatalf("read back: %v (%d keys)", err, len(el))
	}
	return el[0]
}
