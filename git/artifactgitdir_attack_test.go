package git

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackArtifactShipsGitDir: a release directory whose files all match
// the tag but which also holds a top-level .git with a hook and a config
// setting core.fsmonitor: any git command (or git-aware prompt) run in
// the unpacked release runs the attacker's command. git-audit --artifact
// left the .git out as "the checkout's repository" and passed; it is now
// reported as git/artifact-git-dir, unless it is the repository audited
// or artifactAllow lists .git.
func TestAttackArtifactShipsGitDir(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	files := map[string]string{"README": "r\n", "src/a.c": "int a;\n"}
	c := tr.commit(commitSpec{files: files})
	tr.tag("v1", c, nil)
	tr.head(c)

	write := func(dir, name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clean := t.TempDir()
	for n, b := range files {
		write(clean, n, b)
	}
	res, err := Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: clean})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Fatalf("clean release: %v", res.Findings)
	}

	evil := t.TempDir()
	for n, b := range files {
		write(evil, n, b)
	}
	write(evil, ".git/config", "[core]\n\tfsmonitor = \"sh -c 'id >/tmp/pwned'\"\n")
	write(evil, ".git/hooks/post-checkout", "#!/bin/sh\nid\n")
	write(evil, ".git/HEAD", "ref: refs/heads/main\n")
	res, err = Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: evil})
	if err != nil {
		t.Fatal(err)
	}
	wantPerm(t, res, RuleArtifactGitDir, ".git")

	// A .git file (gitdir: pointer) is reported the same way.
	gitFile := t.TempDir()
	for n, b := range files {
		write(gitFile, n, b)
	}
	write(gitFile, ".git", "gitdir: /tmp/elsewhere\n")
	res, err = Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: gitFile})
	if err != nil {
		t.Fatal(err)
	}
	wantPerm(t, res, RuleArtifactGitDir, ".git")

	// The checkout audited, given as the artifact: its .git is the
	// repository read.
	for n, b := range files {
		write(tr.dir, n, b)
	}
	res, err = Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: tr.dir})
	if err != nil {
		t.Fatal(err)
	}
	rtNone(t, res, RuleArtifactGitDir)

	// Auditing another checkout on purpose: artifactAllow lists .git.
	res, err = Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: evil, Policy: &Policy{ArtifactAllow: []string{".git"}}})
	if err != nil {
		t.Fatal(err)
	}
	rtNone(t, res, RuleArtifactGitDir)
}
