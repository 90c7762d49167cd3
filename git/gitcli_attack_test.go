package git

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// evilScript writes an executable that creates marker, and returns its path.
func evilScript(t *testing.T, dir, marker string) string {
	t.Helper()
	p := filepath.Join(dir, "evil.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\ntouch '"+marker+"'\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGitBinaryRunsNoConfiguredCommand: every way a repository's config, a
// .gitattributes in its tree, the user's config or the environment names a
// command for git to run (core.fsmonitor, core.hooksPath, core.pager,
// diff textconv and filter drivers, includeIf, GIT_CONFIG_PARAMETERS,
// GIT_CONFIG_COUNT, GIT_EXEC_PATH) is ignored by the git backend, which
// runs over a fresh git directory with its objects only. git rev-list runs
// none of these today (git status would run the fsmonitor); the test keeps
// it so when the backend or git changes.
func TestGitBinaryRunsNoConfiguredCommand(t *testing.T) {
	if findGit() == "" {
		t.Skip("no git binary on PATH")
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	a := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "a2\n", ".gitattributes", "* diff=evil filter=evil\n"), parents: []plumbing.Hash{root}})
	tr.head(a)
	tmp := t.TempDir()
	marker := filepath.Join(tmp, "pwned")
	evil := evilScript(t, tmp, marker)
	hooks := filepath.Join(tmp, "hooks")
	if err := os.Mkdir(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"post-checkout", "reference-transaction", "post-index-change"} {
		if err := os.Symlink(evil, filepath.Join(hooks, h)); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "[core]\n\tfsmonitor = " + evil + "\n\thooksPath = " + hooks + "\n\tpager = " + evil + "\n" +
		"[diff \"evil\"]\n\ttextconv = " + evil + "\n\tcommand = " + evil + "\n" +
		"[filter \"evil\"]\n\tclean = " + evil + "\n\tsmudge = " + evil + "\n\tprocess = " + evil + "\n" +
		"[alias]\n\trev-list = !" + evil + "\n"
	inc := filepath.Join(tmp, "inc.cfg")
	if err := os.WriteFile(inc, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	repoCfg := "[core]\n\trepositoryformatversion = 0\n\tbare = false\n[includeIf \"gitdir:/\"]\n\tpath = " + inc + "\n" + cfg
	if err := os.WriteFile(filepath.Join(tr.dir, ".git", "config"), []byte(repoCfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// The user's config, by HOME and XDG_CONFIG_HOME, and by environment.
	home := filepath.Join(tmp, "home")
	for _, p := range []string{filepath.Join(home, ".gitconfig"), filepath.Join(home, ".config", "git", "config")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='"+evil+"'")
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
	t.Setenv("GIT_CONFIG_VALUE_0", evil)
	t.Setenv("GIT_EXEC_PATH", hooks)
	for _, be := range []Backend{BackendAuto, BackendGitCLI} {
		res, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: be, Policy: &Policy{Protect: rtVendor}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Backend != BackendGitCLI.String() {
			t.Errorf("backend %s, want the git binary's", res.Backend)
		}
		rtHas(t, res, RuleProtectedPathChange, a)
		if _, err := PathHistory(t.Context(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: be}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("auditing the repository ran a command its config, attributes or the environment names")
	}
}

// TestGitBinaryNotFromRelativePath: a PATH entry relative to the working
// directory ("." or "bin"), where an audited checkout could hold a "git",
// is not used (os/exec refuses it), so the in-process backend runs.
func TestGitBinaryNotFromRelativePath(t *testing.T) {
	tmp := t.TempDir()
	marker := filepath.Join(tmp, "pwned")
	evil := evilScript(t, tmp, marker)
	if err := os.Mkdir(filepath.Join(tmp, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(tmp, "git"), filepath.Join(tmp, "bin", "git")} {
		if err := os.Symlink(evil, p); err != nil {
			t.Fatal(err)
		}
	}
	tr := newTestRepo(t)
	root, base := rtBase(tr)
	tr.head(tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "a2\n"), parents: []plumbing.Hash{root}}))
	t.Chdir(tmp)
	for _, path := range []string{".", "bin", ":" + os.Getenv("PATH")} {
		t.Setenv("PATH", path)
		if g := findGit(); g != "" && !filepath.IsAbs(g) {
			t.Errorf("PATH %q: git binary %q is relative", path, g)
		}
		if _, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Policy: &Policy{Protect: rtVendor}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a git binary relative to the working directory ran")
	}
}

// TestAttackGitEnvInOtherCase: on Windows, where variable names match
// ignoring case, git_config_parameters reaches git as
// GIT_CONFIG_PARAMETERS; the filter kept it because it was not upper case.
func TestAttackGitEnvInOtherCase(t *testing.T) {
	t.Parallel()
	env := isolatedEnv([]string{"PATH=/bin", "git_config_parameters='core.fsmonitor'='x'", "Git_Dir=/tmp/evil", "GIT_EXEC_PATH=/tmp/evil", "GITHUB_TOKEN=1"}, "/g", "/o")
	for _, kv := range env {
		if strings.Contains(kv, "evil") || strings.Contains(strings.ToUpper(kv), "CONFIG_PARAMETERS") {
			t.Errorf("kept %q", kv)
		}
	}
	for _, want := range []string{"PATH=/bin", "GITHUB_TOKEN=1", "GIT_DIR=/g", "GIT_OBJECT_DIRECTORY=/o"} {
		if !slices.Contains(env, want) {
			t.Errorf("env %q lacks %q", env, want)
		}
	}
}
