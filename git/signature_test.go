package git

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"

	"github.com/shipgate/shipgate/signing"
)

// sigCase is one signing case: a protected change on a line of commits and
// the findings expected on it.
type sigCase struct {
	name  string
	spec  func(*commitSpec)
	rules []signing.Rule // findings expected on this commit (besides protected-path-change)
}

func TestAuditSignatures(t *testing.T) {
	t.Parallel()
	alicePGP := newPGPKey(t, "Alice", "alice@example.com")
	evePGP := newPGPKey(t, "Eve", "eve@example.com")
	bobPGP := newPGPKey(t, "Bob", "bob@example.com") // in the keyring, not allowed for vendor
	aliceSSH := newSSHKey(t)
	eveSSH := newSSHKey(t)
	oldSSH := newSSHKey(t)
	strangerSSH := newSSHKey(t)
	dir := t.TempDir()
	allowed := fmt.Sprintf("# team\nalice@example.com %s\nbob@example.com namespaces=\"git\" %s\nold@example.com valid-before=\"20200101\" %s\n",
		aliceSSH.authorized(), eveSSH.authorized(), oldSSH.authorized())
	if err := os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte(allowed), 0o644); err != nil {
		t.Fatal(err)
	}
	tamper := func(sign func([]byte) string) func([]byte) string {
		return func(p []byte) string { return sign(append([]byte("x"), p...)) }
	}
	cases := []sigCase{
		{"unsigned", func(s *commitSpec) {}, []signing.Rule{RuleUnsignedProtected}},
		{"pgp-allowed", func(s *commitSpec) { s.sign = alicePGP.sign }, nil},
		{"pgp-unknown-key", func(s *commitSpec) { s.sign = evePGP.sign }, []signing.Rule{RuleSignerNotAllowed}},
		{"pgp-known-not-allowed", func(s *commitSpec) { s.sign = bobPGP.sign }, []signing.Rule{RuleSignerNotAllowed}},
		{"pgp-tampered", func(s *commitSpec) { s.sign = tamper(alicePGP.sign) }, []signing.Rule{RuleBadSignature}},
		{"ssh-allowed", func(s *commitSpec) { s.sign = aliceSSH.sign }, nil},
		{"ssh-sha256", func(s *commitSpec) {
			s.sign = func(p []byte) string { return aliceSSH.signNS(p, "git", "sha256") }
		}, nil},
		{"ssh-unknown-key", func(s *commitSpec) { s.sign = strangerSSH.sign }, []signing.Rule{RuleSignerNotAllowed}},
		{"ssh-principal-not-allowed", func(s *commitSpec) { s.sign = eveSSH.sign }, []signing.Rule{RuleSignerNotAllowed}},
		{"ssh-expired", func(s *commitSpec) { s.sign = oldSSH.sign }, []signing.Rule{RuleSignerNotAllowed}},
		{"ssh-wrong-namespace", func(s *commitSpec) {
			s.sign = func(p []byte) string { return aliceSSH.signNS(p, "file", "sha512") }
		}, []signing.Rule{RuleBadSignature}},
		{"ssh-tampered", func(s *commitSpec) { s.sign = tamper(aliceSSH.sign) }, []signing.Rule{RuleBadSignature}},
		{"two-signatures", func(s *commitSpec) { s.sign = aliceSSH.sign; s.extraSig = true }, []signing.Rule{RuleMultipleSignatures}},
		{"two-blocks", func(s *commitSpec) {
			s.sign = func(p []byte) string { return aliceSSH.sign(p) + alicePGP.sign(p) }
		}, []signing.Rule{RuleMultipleSignatures}},
		{"garbage", func(s *commitSpec) {
			s.sign = func([]byte) string { return "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n" }
		}, []signing.Rule{RuleBadSignature}},
		{"x509", func(s *commitSpec) {
			s.sign = func([]byte) string { return "-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n" }
		}, []signing.Rule{RuleSignerNotAllowed}},
	}
	tr := newTestRepo(t)
	prev := tr.commit(commitSpec{files: map[string]string{"vendor/a": "0\n"}})
	tr.tag("v1", prev, nil)
	ids := map[string]plumbing.Hash{}
	for i, c := range cases {
		s := commitSpec{files: map[string]string{"vendor/a": fmt.Sprintf("%d\n", i+1)}, parents: []plumbing.Hash{prev}}
		c.spec(&s)
		prev = tr.commit(s)
		ids[c.name] = prev
	}
	tr.head(prev)
	pol := &Policy{
		Protect:        []ProtectRule{{Path: "vendor/**", Signers: []string{"alice@example.com", strings.ToLower(fingerprint(alicePGP))}}},
		AllowedSigners: filepath.Join(dir, "allowed_signers"),
	}
	res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Policy: pol, Keyring: append(alicePGP.keyring(t), bobPGP.e)})
	if err != nil {
		t.Fatal(err)
	}
	byCommit := map[string][]signing.Rule{}
	for _, f := range res.Findings {
		if f.Rule == RuleProtectedPathChange {
			continue
		}
		byCommit[f.Commit] = append(byCommit[f.Commit], f.Rule)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := byCommit[ids[c.name].String()]
			slices.Sort(got)
			if !slices.Equal(got, c.rules) {
				t.Errorf("findings %v, want %v", got, c.rules)
				for _, f := range res.Findings {
					if f.Commit == ids[c.name].String() {
						t.Logf("  %s: %s", f.Rule, f.Message)
					}
				}
			}
		})
	}
	for _, c := range res.Commits {
		if c.Hash == ids["ssh-allowed"].String() {
			if c.Signature == nil || c.Signature.Status != signing.StatusValid || c.Signature.Signer != "alice@example.com" {
				t.Errorf("ssh-allowed signature: %+v", c.Signature)
			}
		}
		if c.Hash == ids["pgp-allowed"].String() {
			if c.Signature == nil || c.Signature.Status != signing.StatusValid || c.Signature.Key != fingerprint(alicePGP) {
				t.Errorf("pgp-allowed signature: %+v", c.Signature)
			}
		}
	}
}

func fingerprint(k *pgpKey) string {
	return strings.ToUpper(fmt.Sprintf("%x", k.e.PrimaryKey.Fingerprint))
}

func TestAuditTagSignatures(t *testing.T) {
	t.Parallel()
	alice := newPGPKey(t, "Alice", "alice@example.com")
	eve := newPGPKey(t, "Eve", "eve@example.com")
	tr := newTestRepo(t)
	c0 := tr.commit(commitSpec{files: map[string]string{"a": "1\n"}})
	c1 := tr.commit(commitSpec{files: map[string]string{"a": "2\n"}, parents: []plumbing.Hash{c0}})
	tr.tag("good", c0, alice.sign)
	tr.tag("bad", c0, func(p []byte) string { return alice.sign(append(p, 'x')) })
	tr.tag("eve", c1, eve.sign)
	tr.head(c1)
	// A merge of a signed tag whose signature is broken.
	side := tr.commit(commitSpec{files: map[string]string{"a": "2\n", "b": "1\n"}, parents: []plumbing.Hash{c0}})
	goodTag := tr.tagBody("side-ok", side, alice.sign)
	badTag := tr.tagBody("side-bad", side, func(p []byte) string { return alice.sign(append(p, 'x')) })
	m := tr.commit(commitSpec{files: map[string]string{"a": "2\n", "b": "1\n"}, parents: []plumbing.Hash{c1, side}, mergetags: []string{goodTag, badTag}})
	tr.head(m)
	cases := []struct {
		since, until string
		want         []signing.Rule
	}{
		{"good", "master", []signing.Rule{RuleBadSignature}}, // the bad mergetag
		{"bad", "c1ref", []signing.Rule{RuleBadSignature}},
		{"good", "eve", []signing.Rule{RuleSignerNotAllowed}},
	}
	tr.ref("refs/heads/c1ref", c1)
	for _, c := range cases {
		t.Run(c.since+".."+c.until, func(t *testing.T) {
			res, err := Audit(context.Background(), tr.dir, Options{Since: c.since, Until: c.until, Keyring: alice.keyring(t)})
			if err != nil {
				t.Fatal(err)
			}
			var got []signing.Rule
			for _, f := range res.Findings {
				got = append(got, f.Rule)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("findings %v, want %v: %+v", got, c.want, res.Findings)
			}
			if c.until == "master" {
				fs := findingsOf(res, RuleBadSignature)
				if len(fs) != 1 || fs[0].Commit != m.String() || !strings.Contains(fs[0].Message, "side-bad") {
					t.Errorf("mergetag finding: %+v", fs)
				}
			}
		})
	}
}

// TestSSHKeygenCrossCheck signs commits with the real ssh-keygen and git, and
// checks that our verdicts match git verify-commit's.
func TestSSHKeygenCrossCheck(t *testing.T) {
	t.Parallel()
	git := gitBin(t)
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not on PATH; skipping the SSH cross-check")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	other := filepath.Join(dir, "other")
	if out, err := exec.Command(keygen, "-q", "-t", "ecdsa", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, _ := os.ReadFile(key + ".pub")
	allowed := filepath.Join(dir, "allowed_signers")
	os.WriteFile(allowed, []byte("alice@example.com "+string(pub)), 0o644)
	repoDir := filepath.Join(dir, "repo")
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(git, append([]string{"-C", repoDir, "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + allowed}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	os.MkdirAll(filepath.Join(repoDir, "vendor"), 0o755)
	if out, err := run("init", "-q", "-b", "main"); err != nil {
		t.Fatal(err, out)
	}
	write := func(s string) { os.WriteFile(filepath.Join(repoDir, "vendor", "a"), []byte(s), 0o644) }
	write("0\n")
	run("add", ".")
	if out, err := run("commit", "-q", "-m", "base"); err != nil {
		t.Fatal(err, out)
	}
	run("tag", "v1")
	for i, k := range []string{key, other, key} {
		write(fmt.Sprint(i + 1))
		run("add", ".")
		if out, err := run("-c", "user.signingkey="+k, "commit", "-q", "-S", "-m", fmt.Sprint("signed ", i)); err != nil {
			t.Fatalf("git commit -S: %v: %s", err, out)
		}
	}
	run("-c", "user.signingkey="+key, "tag", "-s", "-m", "release", "v2")
	res, err := Audit(context.Background(), repoDir, Options{Since: "v1", Until: "v2", Policy: &Policy{
		Protect: []ProtectRule{{Path: "vendor/**"}}, AllowedSigners: allowed}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commits) != 3 {
		t.Fatalf("%d protected commits, want 3", len(res.Commits))
	}
	for _, c := range res.Commits {
		_, gerr := run("verify-commit", c.Hash)
		gitOK := gerr == nil
		ours := c.Signature != nil && c.Signature.Status == signing.StatusValid
		if gitOK != ours {
			t.Errorf("commit %s: git verify-commit ok=%v, ours %+v", c.Hash, gitOK, c.Signature)
		}
	}
	if len(res.Tags) != 1 || res.Tags[0].Signature == nil || res.Tags[0].Signature.Status != signing.StatusValid {
		t.Errorf("tag v2: %+v", res.Tags)
	}
	if got := findingsOf(res, RuleSignerNotAllowed); len(got) != 1 {
		t.Errorf("signer-not-allowed findings: %+v", got)
	}
	// Tamper: a commit whose signature is over other bytes (re-use the
	// signature of HEAD on a rewritten commit).
	raw, _ := run("cat-file", "commit", "HEAD")
	forged := strings.Replace(raw, "signed 2", "signed 2!", 1)
	cmd := exec.Command(git, "-C", repoDir, "hash-object", "-t", "commit", "-w", "--stdin", "--literally")
	cmd.Stdin = strings.NewReader(forged)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	fid := strings.TrimSpace(string(out))
	run("update-ref", "refs/heads/forged", fid)
	res, err = Audit(context.Background(), repoDir, Options{Since: "HEAD", Until: "forged", Policy: &Policy{
		Protect: []ProtectRule{{Path: "vendor/**"}}, AllowedSigners: allowed}})
	if err != nil {
		t.Fatal(err)
	}
	if _, gerr := run("verify-commit", fid); gerr == nil {
		t.Fatal("git accepts the forged commit")
	}
	if bad := findingsOf(res, RuleBadSignature); len(bad) != 1 || bad[0].Commit != fid {
		t.Errorf("forged commit findings: %+v", res.Findings)
	}
}

// TestGPGCrossCheck signs commits with the real gpg and git and checks that
// our verdicts match git verify-commit's.
func TestGPGCrossCheck(t *testing.T) {
	t.Parallel()
	git := gitBin(t)
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not on PATH; skipping the OpenPGP cross-check")
	}
	home, err := os.MkdirTemp("", "sg-gpg")
	if err != nil {
		t.Fatal(err)
	}
	genv := append(os.Environ(), "GNUPGHOME="+home)
	t.Cleanup(func() {
		if gc, err := exec.LookPath("gpgconf"); err == nil {
			cmd := exec.Command(gc, "--kill", "all")
			cmd.Env = genv
			cmd.Run()
		}
		os.RemoveAll(home)
	})
	os.Chmod(home, 0o700)
	gen := func(uid string) {
		cmd := exec.Command(gpg, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
		cmd.Env = genv
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("gpg cannot generate a key here: %v: %s", err, out)
		}
	}
	gen("Alice <alice@example.com>")
	gen("Eve <eve@example.com>")
	export := exec.Command(gpg, "--armor", "--export", "alice@example.com")
	export.Env = genv
	pub, err := export.Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyring := filepath.Join(dir, "alice.asc")
	os.WriteFile(keyring, pub, 0o644)
	repoDir := filepath.Join(dir, "repo")
	env := append(genv, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(git, append([]string{"-C", repoDir, "-c", "gpg.program=" + gpg}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	os.MkdirAll(filepath.Join(repoDir, "vendor"), 0o755)
	run("init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(repoDir, "vendor", "a"), []byte("0\n"), 0o644)
	run("add", ".")
	run("commit", "-q", "-m", "base")
	run("tag", "v1")
	for i, uid := range []string{"alice@example.com", "eve@example.com"} {
		os.WriteFile(filepath.Join(repoDir, "vendor", "a"), []byte(fmt.Sprint(i+1)), 0o644)
		run("add", ".")
		if out, err := run("-c", "user.signingkey="+uid, "commit", "-q", "-S", "-m", "signed"); err != nil {
			t.Skipf("git commit -S with gpg failed here: %v: %s", err, out)
		}
	}
	res, err := Audit(context.Background(), repoDir, Options{Since: "v1", Policy: &Policy{
		Protect: []ProtectRule{{Path: "vendor/**"}}, Keyrings: []string{keyring}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commits) != 2 {
		t.Fatalf("%d commits", len(res.Commits))
	}
	for _, c := range res.Commits {
		out, _ := run("log", "-1", "--format=%G? %GF", c.Hash)
		// gpg knows both keys, so git says G for both; ours trusts only the
		// keyring: Alice valid, Eve untrusted.
		if !strings.HasPrefix(out, "G ") {
			t.Errorf("git: %q for %s", out, c.Hash)
		}
		fpr := strings.TrimSpace(strings.TrimPrefix(out, "G "))
		if c.Signature == nil || c.Signature.Key != fpr && c.Signature.Status == signing.StatusValid {
			t.Errorf("commit %s: git fingerprint %s, ours %+v", c.Hash, fpr, c.Signature)
		}
	}
	if n := len(findingsOf(res, RuleSignerNotAllowed)); n != 1 {
		t.Errorf("signer-not-allowed: %d, want 1 (Eve): %+v", n, res.Findings)
	}
}

// TestSSHCertificateSigners checks cert-authority lines: a user certificate
// issued by an allowed CA for a matching principal is allowed; an expired
// certificate, a host certificate, a principal outside the line's patterns
// and a certificate from another CA are not.
func TestSSHCertificateSigners(t *testing.T) {
	t.Parallel()
	ca := newSSHKey(t)
	otherCA := newSSHKey(t)
	user := newSSHKey(t)
	cert := func(issuer *sshKey, principals []string, typ uint32, after, before time.Time) *sshKey {
		c := &ssh.Certificate{Key: user.pub, CertType: typ, KeyId: "user", ValidPrincipals: principals,
			ValidAfter: uint64(after.Unix()), ValidBefore: uint64(before.Unix())}
		if err := c.SignCert(rand.Reader, issuer.s); err != nil {
			t.Fatal(err)
		}
		cs, err := ssh.NewCertSigner(c, user.s)
		if err != nil {
			t.Fatal(err)
		}
		return &sshKey{pub: c, s: cs}
	}
	long := epoch.Add(-365 * 24 * time.Hour)
	allowed := AllowedSigners{}
	ss, err := ParseAllowedSigners(strings.NewReader("*@example.com cert-authority " + ca.authorized() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	allowed = append(allowed, ss...)
	v := &verifier{ssh: allowed}
	payload := []byte("tree x\n\nmsg\n")
	for _, c := range []struct {
		name string
		key  *sshKey
		want signing.Status
	}{
		{"valid", cert(ca, []string{"alice@example.com"}, ssh.UserCert, long, epoch.Add(time.Hour)), signing.StatusValid},
		{"expired", cert(ca, []string{"alice@example.com"}, ssh.UserCert, long, epoch.Add(-time.Hour)), signing.StatusUntrusted},
		{"host cert", cert(ca, []string{"alice@example.com"}, ssh.HostCert, long, epoch.Add(time.Hour)), signing.StatusUntrusted},
		{"principal outside pattern", cert(ca, []string{"alice@evil.test"}, ssh.UserCert, long, epoch.Add(time.Hour)), signing.StatusUntrusted},
		{"other CA", cert(otherCA, []string{"alice@example.com"}, ssh.UserCert, long, epoch.Add(time.Hour)), signing.StatusUntrusted},
		{"bare user key", user, signing.StatusUntrusted},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := v.verify(c.key.sign(payload), payload, epoch)
			if s.Status != c.want {
				t.Errorf("status %s (%s), want %s", s.Status, s.Detail, c.want)
			}
			if c.want == signing.StatusValid && (s.Signer != "alice@example.com" || !s.allowedBy([]string{"alice@example.com"}) || s.allowedBy([]string{"bob@example.com"})) {
				t.Errorf("signer %+v", s)
			}
		})
	}
}
