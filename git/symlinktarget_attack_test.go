package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

var vendorOnly = &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}

// TestAttackProtectedSymlinkTarget: vendor/lib/zconf.h has long been a
// symlink to src/zconf.h (through a symlinked directory for the second
// case). An unsigned commit changes src/zconf.h alone: the vendored header
// a checkout reads changes, yet no protected path changed in the tree, so
// the audit passed. The target is now audited as protected by the
// symlink's rule.
func TestAttackProtectedSymlinkTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		files  map[string]string
		target string
		sees   string
	}{
		{"file", map[string]string{"vendor/lib/zconf.h": "symlink:../../src/zconf.h"}, "src/zconf.h", "vendor/lib/zconf.h"},
		{"via linked dir", map[string]string{"vendor/lib/zconf.h": "symlink:../inc/zconf.h", "vendor/inc": "symlink:../src"}, "src/zconf.h", "vendor/lib/zconf.h"},
		{"dir", map[string]string{"vendor/lib/include": "symlink:../../src"}, "src", "vendor/lib/include/zconf.h"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tr := newTestRepo(t)
			base := map[string]string{"vendor/lib/a.c": "a1\n", "src/zconf.h": "#define Z 1\n", "src/main.c": "m1\n"}
			for p, v := range c.files {
				base[p] = v
			}
			root := tr.commit(commitSpec{files: base})
			tr.tag("v1", root, nil)
			evil := tr.commit(commitSpec{files: with(base, "src/zconf.h", "#define Z 0 /* disables the bounds check */\n"), parents: []plumbing.Hash{root}})
			tr.head(evil)
			checkoutSees(t, tr.dir, evil, c.sees, "disables")
			rtAudit(t, tr.dir, Options{Since: "v1", Policy: vendorOnly}, func(t *testing.T, res *Result) {
				rtHas(t, res, RuleUnsignedProtected, evil)
				rtNone(t, res, RuleProtectUnmatched)
				named := false
				for _, f := range findingsOf(res, RuleProtectedSymlinkTarget) {
					named = named || strings.Contains(f.Message, "symlink to "+c.target+",")
				}
				if !named {
					t.Errorf("no %s finding names %s: %v", RuleProtectedSymlinkTarget, c.target, findingsOf(res, RuleProtectedSymlinkTarget))
				}
			})
		})
	}
}

// TestProtectedSymlinkInside: a symlink that stays inside the protected
// paths, or leaves the repository, protects nothing more, and a change to
// an unrelated file is not protected.
func TestProtectedSymlinkInside(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/lib/a.c": "a1\n", "vendor/lib/b.c": "symlink:a.c", "vendor/lib/etc": "symlink:/etc/passwd", "vendor/lib/up": "symlink:../../../x", "src/main.c": "m1\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	c := tr.commit(commitSpec{files: with(base, "src/main.c", "m2\n"), parents: []plumbing.Hash{root}})
	tr.head(c)
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: vendorOnly}, func(t *testing.T, res *Result) {
		rtNone(t, res, RuleProtectedSymlinkTarget)
		rtNone(t, res, RuleUnsignedProtected)
	})
}

// checkoutSees checks out commit c with git, when installed, and fails
// unless the file p (read through its symlinks) holds want.
func checkoutSees(t *testing.T, repoDir string, c plumbing.Hash, p, want string) {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Log("git not installed: the checkout is not cross-checked")
		return
	}
	wt := t.TempDir()
	cmd := exec.Command(gitBin, "--git-dir", filepath.Join(repoDir, ".git"), "--work-tree", wt, "checkout", "-f", c.String(), "--", ".")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+wt)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git checkout: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(wt, p))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), want) {
		t.Fatalf("checkout's %s = %q, want %q in it", p, b, want)
	}
}

// TestAttackProtectedRootIsSymlink: the protected vendor is itself a
// symlink to deps, so vendor/** matched the link and no change under
// deps/, where the vendored code is, was protected.
func TestAttackProtectedRootIsSymlink(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor": "symlink:deps", "deps/zlib/z.c": "z1\n", "src/main.c": "m1\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	evil := tr.commit(commitSpec{files: with(base, "deps/zlib/z.c", "evil\n"), parents: []plumbing.Hash{root}})
	tr.head(evil)
	checkoutSees(t, tr.dir, evil, "vendor/zlib/z.c", "evil")
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: vendorOnly}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, evil)
	})
}
