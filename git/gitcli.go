package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// objectsDir returns the object directory of the repository r reads: its
// git directory's, or that of the common directory a linked worktree's git
// directory names.
func (r *repo) objectsDir() (string, error) {
	if r.store == nil {
		return "", errors.New("git: not a repository on disk")
	}
	gitDir := r.store.Filesystem().Root()
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		gitDir = c
	}
	d := filepath.Join(gitDir, "objects")
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("git: no object directory at %s", d)
	}
	return d, nil
}

// isolatedGit returns a command running the git binary over the objects in
// objDir and nothing else of the repository: git sees a fresh, empty git
// directory (removed by the returned cleanup) with objDir as its object
// directory, and no system or global config. The repository's own config,
// hooks, grafts and shallow file are the audited repository's to write, so
// git must not read them: a config declaring a promisor remote makes git
// fetch a missing object lazily, running core.sshCommand; core.fsmonitor
// runs a command on most reads; grafts and a shallow file rewrite parents.
// The caller's GIT_* variables (GIT_DIR, GIT_CONFIG_PARAMETERS,
// GIT_ALTERNATE_OBJECT_DIRECTORIES, …) are dropped too.
func isolatedGit(ctx context.Context, gitBin, objDir string, args ...string) (*exec.Cmd, func(), error) {
	dir, err := os.MkdirTemp("", "shipgate-git-")
	if err != nil {
		return nil, nil, fmt.Errorf("git: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	for _, f := range []struct{ name, body string }{
		{"HEAD", "ref: refs/heads/main\n"},
		{"config", "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.body), 0o600); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("git: %w", err)
		}
	}
	for _, d := range []string{"refs", "objects"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("git: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, gitBin, args...)
	cmd.Env = isolatedEnv(os.Environ(), dir, objDir)
	cmd.Dir = dir
	return cmd, cleanup, nil
}

// isolatedEnv returns environ without the variables git reads its
// repository, config or helpers from (GIT_*, in any case: Windows matches
// variable names ignoring case, so git_config_parameters is
// GIT_CONFIG_PARAMETERS to git there), and with those that point git at
// gitDir and objDir only and switch off system and global config (which
// XDG_CONFIG_HOME and HOME would otherwise name).
func isolatedEnv(environ []string, gitDir, objDir string) []string {
	var env []string
	for _, kv := range environ {
		if len(kv) < 4 || !strings.EqualFold(kv[:4], "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_DIR="+gitDir, "GIT_OBJECT_DIRECTORY="+objDir,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
		"GIT_GRAFT_FILE="+os.DevNull, "GIT_NO_LAZY_FETCH=1", "GIT_NO_REPLACE_OBJECTS=1")
}

// isGitDir reports whether name is the git directory r was opened from.
func (r *repo) isGitDir(name string) bool {
	if r.store == nil {
		return false
	}
	a, err := os.Stat(name)
	if err != nil {
		return false
	}
	b, err := os.Stat(r.store.Filesystem().Root())
	return err == nil && os.SameFile(a, b)
}
