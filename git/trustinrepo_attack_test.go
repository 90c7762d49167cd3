package git

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestAttackTrustInRepo: the allowed_signers file, a keyring, the policy
// file or an upstream clone the audit reads lay inside the audited
// repository (a tracked .shipgate/allowed_signers, a keyring under .git, a
// bare clone committed as files), and the audit trusted them without a
// word: whoever can push adds their own key in one commit and signs every
// later one with it, or has the clone resolve a pin's tag to their commit. Each such file is now a
// git/trust-in-repo error at its path in the working tree; the same files
// outside the repository are not.
func TestAttackTrustInRepo(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	c := tr.commit(commitSpec{files: map[string]string{"vendor/a.c": "a\n"}})
	tr.head(c)
	signers := "alice@example.com " + newSSHKey(t).authorized() + "\n"
	var ring bytes.Buffer
	if err := newPGPKey(t, "Alice", "alice@example.com").e.Serialize(&ring); err != nil {
		t.Fatal(err)
	}
	write := func(dir, name, body string) string {
		t.Helper()
		f := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	policy := "protect: [{path: vendor/**}]\nallowedSigners: allowed_signers\nkeyrings: [../.git/ring.gpg]\n" +
		"vendor: [{path: vendor, upstream: ../third_party/zlib-clone, commit: v1.2.13}]\n"
	outside := t.TempDir()
	for _, tc := range []struct {
		name string
		dir  string
		want []string
	}{
		{"inside", tr.dir, []string{".git/ring.gpg", ".shipgate/allowed_signers", ".shipgate/git.yml", "third_party/zlib-clone"}},
		{"outside", outside, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			write(tc.dir, ".shipgate/allowed_signers", signers)
			write(tc.dir, ".git/ring.gpg", ring.String())
			pol, err := LoadPolicy(write(tc.dir, ".shipgate/git.yml", policy))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Audit(context.Background(), tr.dir, Options{Policy: pol, Now: epoch})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findingsOf(res, RuleTrustInRepo) {
				got = append(got, f.Path)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("git/trust-in-repo at %q, want %q", got, tc.want)
			}
		})
	}
}
