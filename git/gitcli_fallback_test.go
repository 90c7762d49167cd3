package git

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestAuditGitBinaryFails: git rev-list runs while the history is walked in
// process; when the git binary fails, BackendAuto falls back to the
// in-process walk and reports what BackendGoGit reports (named go-git), and
// BackendGitCLI returns git's error. The git on PATH is a script that fails.
func TestAuditGitBinaryFails(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the failing git is a shell script")
	}
	h := buildHistory(t)
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'fatal: refusing to run' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := func(b Backend) Options {
		return Options{Since: "v1", Backend: b, Now: epoch.Add(1000 * 24 * 60 * 60 * 1e9),
			Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**", Owners: []string{"alice@example.com"}}}}}
	}
	want, err := Audit(context.Background(), h.tr.dir, opts(BackendGoGit))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	got, err := Audit(context.Background(), h.tr.dir, opts(BackendAuto))
	if err != nil {
		t.Fatalf("auto with a failing git: %v", err)
	}
	if got.Backend != BackendGoGit.String() {
		t.Errorf("backend %q, want %q", got.Backend, BackendGoGit)
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if string(wj) != string(gj) {
		t.Errorf("auto with a failing git reports\n%s\nwant (go-git)\n%s", gj, wj)
	}
	if _, err := Audit(context.Background(), h.tr.dir, opts(BackendGitCLI)); err == nil || !strings.Contains(err.Error(), "refusing to run") {
		t.Errorf("git backend with a failing git: error %v, want git's", err)
	}
}
