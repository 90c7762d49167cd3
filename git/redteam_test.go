package git

// Red-team regressions: an attacker who can push commits tries to get an
// unreviewed change to vendor/ through Audit without an unsigned, bad or
// disallowed signature finding.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"

	"github.com/shipgate/shipgate/signing"
)

var rtVendor = []ProtectRule{{Path: "vendor/**", Signers: []string{"alice@example.com"}}, {Path: "third_party/**"}}

// rtAudit audits with every backend available and hands each result to check.
func rtAudit(t *testing.T, dir string, opts Options, check func(t *testing.T, res *Result)) {
	t.Helper()
	if opts.Policy == nil {
		opts.Policy = &Policy{Protect: rtVendor}
	}
	if opts.Now.IsZero() {
		opts.Now = epoch.Add(365 * 24 * time.Hour)
	}
	for _, b := range []Backend{BackendGoGit, BackendAuto} {
		t.Run(b.String(), func(t *testing.T) {
			o := opts
			o.Backend = b
			res, err := Audit(context.Background(), dir, o)
			if err != nil {
				t.Fatal(err)
			}
			check(t, res)
		})
	}
}

// rtHas fails unless res has a finding of rule on commit c (any commit when c
// is zero).
func rtHas(t *testing.T, res *Result, rule signing.Rule, c plumbing.Hash) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Rule == rule && (c.IsZero() || f.Commit == c.String()) {
			return
		}
	}
	t.Errorf("no %s finding on %s; findings: %v", rule, c, rtRules(res))
}

func rtNone(t *testing.T, res *Result, rule signing.Rule) {
	t.Helper()
	if fs := findingsOf(res, rule); len(fs) > 0 {
		t.Errorf("unexpected %s: %v", rule, fs)
	}
}

func rtRules(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, string(f.Rule)+"@"+f.Commit[:min(8, len(f.Commit))])
	}
	return out
}

// rawTree writes a tree from "mode name" -> object entries, sorted as git does.
func (tr *testRepo) rawTree(ents [][3]string) plumbing.Hash {
	var b bytes.Buffer
	for _, e := range ents {
		fmt.Fprintf(&b, "%s %s\x00", e[0], e[1])
		h := plumbing.NewHash(e[2])
		b.Write(h[:])
	}
	return tr.put(plumbing.TreeObject, b.Bytes())
}

// rawCommit writes a commit with the given tree and extra header lines
// (inserted before the message) and returns it with its signable payload.
func rtCommitText(tree plumbing.Hash, parents []plumbing.Hash, when time.Time, msg string) string {
	var h strings.Builder
	fmt.Fprintf(&h, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&h, "parent %s\n", p)
	}
	fmt.Fprintf(&h, "author Mallory <mallory@example.com> %d +0000\n", when.Unix())
	fmt.Fprintf(&h, "committer Mallory <mallory@example.com> %d +0000\n", when.Unix())
	return h.String() + "\n" + msg
}

// withHeaders inserts headers just before the blank line of a commit text.
func withHeaders(text string, headers ...string) []byte {
	head, msg, _ := strings.Cut(text, "\n\n")
	return []byte(head + "\n" + strings.Join(headers, "") + "\n" + msg)
}

// rtBase builds root (tagged v1) with vendor/lib/a.c and returns it.
func rtBase(tr *testRepo) (plumbing.Hash, map[string]string) {
	base := map[string]string{"vendor/lib/a.c": "a1\n", "src/main.c": "m1\n", "third_party/README": "t1\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	return root, base
}

func TestRedTeamSSHSignatures(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	alice, mallory := newSSHKey(t), newSSHKey(t)
	files := with(base, "vendor/lib/a.c", "evil\n")
	var c []plumbing.Hash
	// 0: namespace "file" instead of "git".
	c = append(c, tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: func(p []byte) string { return alice.signNS(p, "file", "sha512") }}))
	// 1: a genuine signature by Alice over another commit's payload.
	good := rtCommitText(tr.tree(base), []plumbing.Hash{root}, epoch, "harmless\n")
	stolen := alice.sign([]byte(good))
	evil := rtCommitText(tr.tree(files), []plumbing.Hash{root}, epoch, "harmless\n")
	c = append(c, tr.put(plumbing.CommitObject, withHeaders(evil, "gpgsig "+indentHeader(stolen))))
	// 2: the good signature only in gpgsig-sha256 (ignored in a SHA-1
	// repository, so the commit is unsigned).
	c = append(c, tr.put(plumbing.CommitObject, withHeaders(evil, "gpgsig-sha256 "+indentHeader(alice.sign([]byte(evil))))))
	// 3: a bad gpgsig next to a good gpgsig-sha256.
	c = append(c, tr.put(plumbing.CommitObject, withHeaders(evil, "gpgsig "+indentHeader(stolen), "gpgsig-sha256 "+indentHeader(alice.sign([]byte(evil))))))
	// 4: Mallory's own key, principal alice@example.com claimed nowhere.
	c = append(c, tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: mallory.sign, author: "Alice <alice@example.com>"}))
	// 5: a signed mergetag (by Alice), commit itself unsigned.
	c = append(c, tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, mergetags: []string{tr.tagBody("v0", root, alice.sign)}}))
	tips := c
	merge := tr.commit(commitSpec{files: files, parents: tips, sign: alice.sign})
	tr.head(merge)
	as := AllowedSigners{{Principals: []string{"alice@example.com"}, Key: alice.pub}}
	rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: as}, func(t *testing.T, res *Result) {
		for _, i := range []int{0, 1} {
			rtHas(t, res, RuleBadSignature, c[i])
		}
		rtHas(t, res, RuleUnsignedProtected, c[2])
		rtHas(t, res, RuleBadSignature, c[3])
		rtHas(t, res, RuleSignerNotAllowed, c[4])
		rtHas(t, res, RuleUnsignedProtected, c[5])
		// The octopus merge is validly signed by Alice, and every parent
		// bringing the change in is blamed on its own.
		for _, f := range res.Findings {
			if f.Commit == merge.String() && f.Severity == signing.SeverityError {
				t.Errorf("signed merge: %v", f)
			}
		}
		for i := range c {
			found := false
			for _, f := range res.Findings {
				if f.Commit == c[i].String() && f.Severity == signing.SeverityError {
					found = true
				}
			}
			if !found {
				t.Errorf("commit %d (%s) passed", i, c[i])
			}
		}
	})
}

// TestRedTeamSSHValidityAndPatterns: valid-before is checked at the committer
// date, as git does (so a commit by a retired key dated before its retirement
// and after its parent passes that check; one dated before its parent does
// not, see TestAttackBackdatedCommitByRetiredKey), wildcard principals, and
// certificates.
func TestRedTeamSSHValidityAndPatterns(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	alice, team, ca, mallory := newSSHKey(t), newSSHKey(t), newSSHKey(t), newSSHKey(t)
	retired := epoch.Add(48 * time.Hour)
	files := with(base, "vendor/lib/a.c", "evil\n")
	cert := func(k *sshKey, principal string) *sshKey {
		c := &ssh.Certificate{Key: k.pub, CertType: ssh.UserCert, KeyId: principal, ValidPrincipals: []string{principal},
			ValidAfter: uint64(epoch.Add(-time.Hour).Unix()), ValidBefore: ssh.CertTimeInfinity}
		if err := c.SignCert(rand.Reader, ca.s); err != nil {
			t.Fatal(err)
		}
		return &sshKey{priv: k.priv, pub: c, s: k.s}
	}
	after := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, when: retired.Add(time.Hour), sign: alice.sign})
	before := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, when: retired.Add(-time.Hour), sign: alice.sign})
	wild := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: team.sign})
	certOther := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: cert(mallory, "mallory@evil.test").sign})
	certListed := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: cert(mallory, "mallory@example.com").sign})
	certPattern := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: cert(mallory, "*@example.com").sign})
	certAlice := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: cert(mallory, "alice@example.com").sign})
	tr.head(tr.commit(commitSpec{files: files, parents: []plumbing.Hash{after, before, wild, certOther, certListed, certPattern, certAlice}, sign: alice.sign}))
	as := AllowedSigners{
		{Principals: []string{"alice@example.com"}, Key: alice.pub, ValidBefore: retired},
		{Principals: []string{"*@example.com"}, Key: team.pub},
		{Principals: []string{"*@example.com"}, Key: ca.pub, CertAuthority: true},
	}
	rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: as}, func(t *testing.T, res *Result) {
		errs := map[plumbing.Hash]string{}
		for _, f := range res.Findings {
			if f.Severity == signing.SeverityError {
				for _, h := range []plumbing.Hash{after, before, wild, certOther, certListed, certPattern, certAlice} {
					if f.Commit == h.String() {
						errs[h] += string(f.Rule) + " "
					}
				}
			}
		}
		want := map[plumbing.Hash]signing.Rule{
			after:       RuleSignerNotAllowed, // signed after valid-before
			before:      "",                   // git semantics: checked at the committer date
			wild:        "",                   // the allowed_signers line lets this key sign as any @example.com
			certOther:   RuleSignerNotAllowed, // principal not matched by the CA line
			certListed:  RuleSignerNotAllowed, // matched by the CA line but not a policy signer
			certPattern: RuleSignerNotAllowed, // a literal principal "*@example.com" is nobody
			certAlice:   "",                   // the CA vouches for alice@example.com
		}
		for h, w := range want {
			if strings.TrimSpace(errs[h]) != string(w) {
				t.Errorf("commit %s: errors %q, want %q", h, errs[h], w)
			}
		}
	})
}

// rtPGPSign signs payload with any private key packet, bypassing go-crypto's
// usability checks, as an attacker holding the key material would.
func rtPGPSign(t *testing.T, pk *packet.PrivateKey, payload []byte, at time.Time) string {
	t.Helper()
	sig := &packet.Signature{Version: pk.PublicKey.Version, SigType: packet.SigTypeBinary, PubKeyAlgo: pk.PublicKey.PubKeyAlgo,
		Hash: crypto.SHA256, CreationTime: at, IssuerKeyId: &pk.KeyId, IssuerFingerprint: pk.PublicKey.Fingerprint}
	cfg := &packet.Config{Time: func() time.Time { return at }}
	h, err := sig.PrepareSign(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(payload)
	if err := sig.Sign(h, pk, cfg); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, "PGP SIGNATURE", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sig.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.String() + "\n"
}

func TestRedTeamOpenPGP(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	files := with(base, "vendor/lib/a.c", "evil\n")
	keyTime := epoch.Add(-24 * time.Hour)
	// Another address: two keys able to sign that claim the same one
	// name neither (TestAttackPGPSharedEmailImpersonation).
	rsa, err := openpgp.NewEntity("Alice", "", "alice@rsa.example", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, Time: func() time.Time { return keyTime }})
	if err != nil {
		t.Fatal(err)
	}
	expiring, err := openpgp.NewEntity("Alice", "", "alice@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: 3600, Time: func() time.Time { return keyTime }})
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := openpgp.NewEntity("Alice", "", "alice@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return keyTime }})
	if err != nil {
		t.Fatal(err)
	}
	if err := revoked.RevokeKey(packet.KeyCompromised, "stolen", &packet.Config{Time: func() time.Time { return keyTime.Add(time.Hour) }}); err != nil {
		t.Fatal(err)
	}
	good := newPGPKey(t, "Alice", "alice@example.com")
	if len(rsa.Subkeys) == 0 || rsa.Subkeys[0].Sig.FlagSign {
		t.Fatal("want an encryption-only subkey")
	}
	sign := func(pk *packet.PrivateKey) func([]byte) string {
		return func(p []byte) string { return rtPGPSign(t, pk, p, epoch) }
	}
	encSub := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: sign(rsa.Subkeys[0].PrivateKey)})
	expired := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: sign(expiring.PrivateKey)})
	rev := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: sign(revoked.PrivateKey)})
	// The holder of the compromised key dates the signature before the
	// revocation.
	revBack := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: func(p []byte) string {
		return rtPGPSign(t, revoked.PrivateKey, p, keyTime.Add(30*time.Minute))
	}})
	expBack := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: func(p []byte) string {
		return rtPGPSign(t, expiring.PrivateKey, p, keyTime.Add(30*time.Minute))
	}})
	ok := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, sign: good.sign})
	tr.head(tr.commit(commitSpec{files: files, parents: []plumbing.Hash{encSub, expired, rev, revBack, expBack, ok}, sign: good.sign}))
	kr := openpgp.EntityList{rsa, expiring, revoked, good.e}
	rtAudit(t, tr.dir, Options{Since: "v1", Keyring: kr}, func(t *testing.T, res *Result) {
		for _, h := range []plumbing.Hash{expired, rev, revBack} {
			rtHas(t, res, RuleBadSignature, h)
		}
		// Dated inside the key's lifetime, but the key has expired: git
		// (gpg EXPKEYSIG) does not accept it either.
		rtHas(t, res, RuleSignerNotAllowed, expBack)
		// go-crypto does not look up keys without the signing flag, so the
		// encryption subkey's signature is one by an unknown key.
		rtHas(t, res, RuleSignerNotAllowed, encSub)
		for _, f := range res.Findings {
			if f.Commit == ok.String() && f.Severity == signing.SeverityError {
				t.Errorf("good signature reported: %v", f)
			}
		}
	})
}

// TestRedTeamHiddenChanges: renames, gitlinks, mode-only changes, symlinks
// and duplicate or case-variant names under protected paths.
func TestRedTeamHiddenChanges(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	blob := func(s string) string { return tr.put(plumbing.BlobObject, []byte(s)).String() }
	sub := "1111111111111111111111111111111111111111"
	lib := func(mode, name, obj string) plumbing.Hash {
		return tr.rawTree([][3]string{{"40000", "vendor", tr.rawTree([][3]string{{mode, name, obj}}).String()}})
	}
	src := tr.rawTree([][3]string{{"40000", "src", tr.rawTree([][3]string{{"100644", "x.c", blob("x\n")}}).String()}})
	trees := []plumbing.Hash{
		src,                               // 0: root: x.c in src/
		lib("100644", "x.c", blob("x\n")), // 1: renamed into vendor/
		lib("100755", "x.c", blob("x\n")), // 2: exec bit only
		lib("120000", "x.c", blob("../../etc/passwd")), // 3: symlink pointing out
		lib("160000", "x.c", sub),                      // 4: gitlink (submodule) under vendor/
		lib("160000", "x.c", strings.Repeat("2", 40)),  // 5: submodule bumped
	}
	var c []plumbing.Hash
	for i, tree := range trees {
		var ps []plumbing.Hash
		if i > 0 {
			ps = []plumbing.Hash{c[i-1]}
		}
		c = append(c, tr.put(plumbing.CommitObject, []byte(rtCommitText(tree, ps, epoch.Add(time.Duration(i)*time.Hour), fmt.Sprintf("c%d\n", i)))))
	}
	tr.tag("v1", c[0], nil)
	tr.head(c[len(c)-1])
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		for i := 1; i < len(c); i++ {
			rtHas(t, res, RuleUnsignedProtected, c[i])
		}
		if len(res.Commits) != len(c)-1 {
			t.Errorf("%d protected commits, want %d", len(res.Commits), len(c)-1)
		}
	})
}

// TestRedTeamDatesAndRewrite: date anomalies are flagged without hiding the
// unsigned change, and a since that left the history is reported.
func TestRedTeamDatesAndRewrite(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	files := with(base, "vendor/lib/a.c", "evil\n")
	now := epoch.Add(30 * 24 * time.Hour)
	future := tr.commit(commitSpec{files: files, parents: []plumbing.Hash{root}, when: now.Add(365 * 24 * time.Hour)})
	back := tr.commit(commitSpec{files: with(files, "vendor/lib/b.c", "b\n"), parents: []plumbing.Hash{future}, when: epoch.Add(10 * time.Hour), cwhen: epoch.Add(time.Hour)})
	// The branch is rewritten: the new root does not descend from v1.
	orphan := tr.commit(commitSpec{files: files})
	tr.head(tr.commit(commitSpec{files: with(files, "README", "x\n"), parents: []plumbing.Hash{orphan, back}}))
	rtAudit(t, tr.dir, Options{Since: "v1", Now: now}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleHistoryRewritten)
		rtHas(t, res, RuleDateAnomaly, future)
		rtHas(t, res, RuleDateAnomaly, back)
		for _, h := range []plumbing.Hash{future, back, orphan} {
			rtHas(t, res, RuleUnsignedProtected, h)
		}
	})
	tr.head(tr.commit(commitSpec{files: files, parents: []plumbing.Hash{orphan}}))
	rtAudit(t, tr.dir, Options{Since: "v1", Now: now}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleHistoryRewritten, root)
		rtHas(t, res, RuleUnsignedProtected, orphan)
	})
}

// TestRedTeamHugeBlob: a large vendored blob is classified from a prefix and
// diffed only up to the cap; the audit stays fast. The blob is 8 MiB, eight
// times the largest cap (1 MiB of diff or prefix).
func TestRedTeamHugeBlob(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	big := strings.Repeat("line of vendored code\n", 8<<20/22)
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/big.c", big), parents: []plumbing.Hash{root}})
	tr.head(c)
	start := time.Now()
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, c)
	})
	t.Logf("audit of a %d MiB blob: %v", len(big)>>20, time.Since(start))
}

// TestRedTeamDuplicateTreeHeader: a commit with a second "tree" header (and
// a misplaced "parent") must be audited with the tree git checks out: the
// first one.
func TestRedTeamDuplicateTreeHeader(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	evilTree, harmless := tr.tree(with(base, "vendor/lib/a.c", "evil\n")), tr.tree(base)
	text := rtCommitText(evilTree, []plumbing.Hash{root}, epoch.Add(time.Hour), "innocent\n")
	head, msg, _ := strings.Cut(text, "\n\n")
	first, rest, _ := strings.Cut(head, "\n") // "tree EVIL"
	parent, rest, _ := strings.Cut(rest, "\n")
	c := tr.put(plumbing.CommitObject, []byte(first+"\n"+parent+"\ntree "+harmless.String()+"\n"+rest+"\n"+parent+"\n\n"+msg))
	tr.head(c)
	if _, err := exec.LookPath("git"); err == nil {
		if got := runGit(t, tr.dir, "rev-parse", c.String()+"^{tree}"); got != evilTree.String() {
			t.Fatalf("git reads tree %s, want the first tree header %s", got, evilTree)
		}
	}
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, c)
		if len(res.Commits) != 1 || len(res.Commits[0].Parents) != 1 {
			t.Errorf("commits %+v, want one with one parent", res.Commits)
		}
	})
}

// TestRedTeamHostileTrees: a root entry named "vendor/b.c" (git checks it out
// as vendor/b.c) or a second "vendor" entry (a checkout writes the last one,
// git show reads the first) must not pass: the audit stops with an error.
func TestRedTeamHostileTrees(t *testing.T) {
	t.Parallel()
	for name, second := range map[string]string{"slash": "vendor/b.c", "duplicate": "vendor"} {
		t.Run(name, func(t *testing.T) {
			tr := newTestRepo(t)
			blob := func(s string) string { return tr.put(plumbing.BlobObject, []byte(s)).String() }
			good := tr.rawTree([][3]string{{"100644", "a.c", blob("good\n")}}).String()
			evil := tr.rawTree([][3]string{{"100644", "a.c", blob("evil\n")}}).String()
			mode := "40000"
			if name == "slash" {
				mode, evil = "100644", blob("evil\n")
			}
			c1 := tr.put(plumbing.CommitObject, []byte(rtCommitText(tr.rawTree([][3]string{{"40000", "vendor", good}}), nil, epoch, "c1\n")))
			t2 := tr.rawTree([][3]string{{"40000", "vendor", good}, {mode, second, evil}})
			tr.tag("v1", c1, nil)
			tr.head(tr.put(plumbing.CommitObject, []byte(rtCommitText(t2, []plumbing.Hash{c1}, epoch, "c2\n"))))
			for _, b := range []Backend{BackendGoGit, BackendAuto} {
				_, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Backend: b, Policy: &Policy{Protect: rtVendor}})
				if !errors.Is(err, ErrHostileTree) {
					t.Errorf("%s: err %v, want ErrHostileTree", b, err)
				}
			}
		})
	}
}

// TestRedTeamCertPatternSSHKeygen cross-checks with ssh-keygen that a
// certificate issued for the literal principal "*@example.com" does not
// verify as alice@example.com, and that Audit agrees.
func TestRedTeamCertPatternSSHKeygen(t *testing.T) {
	t.Parallel()
	kg, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not on PATH; skipping the cross-check against OpenSSH")
	}
	dir := t.TempDir()
	run := func(stdin []byte, args ...string) error {
		cmd := exec.Command(kg, args...)
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(stdin)
		return cmd.Run()
	}
	for _, args := range [][]string{
		{"-q", "-t", "ed25519", "-N", "", "-f", "ca"},
		{"-q", "-t", "ed25519", "-N", "", "-f", "user"},
		{"-q", "-s", "ca", "-I", "id", "-n", "*@example.com", "user.pub"},
	} {
		if err := run(nil, args...); err != nil {
			t.Fatalf("ssh-keygen %v: %v", args, err)
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	caPub, _, _, _, err := ssh.ParseAuthorizedKey(read("ca.pub"))
	if err != nil {
		t.Fatal(err)
	}
	as := "*@example.com cert-authority " + string(read("ca.pub"))
	if err := os.WriteFile(filepath.Join(dir, "allowed"), []byte(as), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	var payload []byte
	c := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}, sign: func(p []byte) string {
		payload = p
		os.WriteFile(filepath.Join(dir, "payload"), p, 0o644)
		if err := run(nil, "-Y", "sign", "-f", "user-cert.pub", "-n", "git", "payload"); err != nil {
			t.Fatal(err)
		}
		return string(read("payload.sig"))
	}})
	tr.head(c)
	if err := run(payload, "-Y", "verify", "-f", "allowed", "-I", "alice@example.com", "-n", "git", "-s", "payload.sig"); err == nil {
		t.Fatal("ssh-keygen verifies the certificate as alice@example.com")
	}
	if err := run(payload, "-Y", "verify", "-f", "allowed", "-I", "*@example.com", "-n", "git", "-s", "payload.sig"); err != nil {
		t.Fatalf("ssh-keygen does not verify the certificate as *@example.com: %v", err)
	}
	allowed := AllowedSigners{{Principals: []string{"*@example.com"}, Key: caPub, CertAuthority: true}}
	for signer, want := range map[string]bool{"alice@example.com": false, "*@example.com": true} {
		pol := &Policy{Protect: []ProtectRule{{Path: "vendor/**", Signers: []string{signer}}}}
		rtAudit(t, tr.dir, Options{Since: "v1", AllowedSigners: allowed, Policy: pol}, func(t *testing.T, res *Result) {
			if got := len(findingsOf(res, RuleSignerNotAllowed)) == 0; got != want {
				t.Errorf("signers %q: allowed %v, want %v (%v)", signer, got, want, rtRules(res))
			}
			rtNone(t, res, RuleBadSignature)
		})
	}
}

// TestRedTeamTagSecondObject: an annotated tag with a second "object" header
// must be peeled to the commit git checks out (the first).
func TestRedTeamTagSecondObject(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	evil := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}})
	clean := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}})
	tr.head(clean)
	body := fmt.Sprintf("object %s\ntype commit\ntag v2\ntagger Alice <alice@example.com> %d +0000\nobject %s\n\nrelease v2\n", evil, epoch.Unix(), clean)
	tr.ref("refs/tags/v2", tr.put(plumbing.TagObject, []byte(body)))
	if _, err := exec.LookPath("git"); err == nil {
		if got := runGit(t, tr.dir, "rev-parse", "v2^{commit}"); got != evil.String() {
			t.Fatalf("git peels v2 to %s, want the first object %s", got, evil)
		}
	}
	rtAudit(t, tr.dir, Options{Since: "v1", Until: "v2"}, func(t *testing.T, res *Result) {
		if res.Until != evil.String() {
			t.Errorf("until %s, want %s", res.Until, evil)
		}
		rtHas(t, res, RuleUnsignedProtected, evil)
	})
}

// TestRedTeamRefNamedLikeID: a branch named after the last release's commit id
// must not move the range (git reads a full id as the object).
func TestRedTeamRefNamedLikeID(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	evil := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "evil\n"), parents: []plumbing.Hash{root}})
	tr.head(evil)
	tr.ref("refs/heads/"+root.String(), evil)
	if _, err := exec.LookPath("git"); err == nil {
		if got := runGit(t, tr.dir, "rev-parse", "--verify", "-q", root.String()+"^{commit}"); got != root.String() {
			t.Fatalf("git resolves %s to %s", root, got)
		}
	}
	rtAudit(t, tr.dir, Options{Since: root.String()}, func(t *testing.T, res *Result) {
		if res.Since != root.String() {
			t.Errorf("since %s, want %s", res.Since, root)
		}
		rtHas(t, res, RuleUnsignedProtected, evil)
	})
}
