package git

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackSSHNegatedPrincipalAdmitsExcludedSigner checks that an
// allowed_signers line's negated principal still excludes its name when a
// path's policy signers name it. The line "!bob@example.com,*@example.com"
// lets a key sign for every example.com principal except bob, as
// ssh-keygen -Y verify -I bob@example.com refuses it; the policy matched
// each principal of the line on its own, so "*@example.com" alone admitted
// the key as bob, the one signer the path allows.
func TestAttackSSHNegatedPrincipalAdmitsExcludedSigner(t *testing.T) {
	t.Parallel()
	team := newSSHKey(t)
	allowed, err := ParseAllowedSigners(strings.NewReader("!bob@example.com,*@example.com " + team.authorized() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	v := &verifier{ssh: allowed}
	payload := []byte("tree x\n\nmsg\n")
	s := v.verify(team.sign(payload), payload, epoch)
	if s.Status != signing.StatusValid {
		t.Fatalf("status %s (%s)", s.Status, s.Detail)
	}
	if s.allowedBy([]string{"bob@example.com"}) {
		t.Errorf("the key the line denies bob@example.com is allowed as bob")
	}
	if s.allowedBy([]string{"BOB@example.com"}) {
		t.Errorf("the key the line denies bob@example.com is allowed as BOB")
	}
	if !s.allowedBy([]string{"alice@example.com"}) {
		t.Errorf("the key is not allowed as alice, whom the line admits")
	}
	// Another line admitting bob for the same key still counts.
	both, err := ParseAllowedSigners(strings.NewReader("!bob@example.com,*@example.com " + team.authorized() + "\nbob@example.com " + team.authorized() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	s = (&verifier{ssh: both}).verify(team.sign(payload), payload, epoch)
	if !s.allowedBy([]string{"bob@example.com"}) {
		t.Errorf("a second line naming bob does not allow the key as bob")
	}
}
