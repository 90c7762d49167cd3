package git

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackAttributesDropProtectedFile: an unsigned commit adds
// "vendor/lib/check.c export-ignore" to the root .gitattributes, which no
// protect glob covers. git archive then leaves the protected file out of
// the release, and the artifact comparison excuses its absence as
// export-ignore: nothing was reported. Changing the lines of a
// .gitattributes above a protected path that apply to it is now held to
// the rule as a change to the path. Unrelated attribute lines stay
// unreported.
func TestAttackAttributesDropProtectedFile(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/lib/check.c": "int check(void) { return 1; }\n", "vendor/lib/a.c": "a\n", "src/main.c": "m\n", "docs/x.png": "p\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	benign := tr.commit(commitSpec{files: with(base, ".gitattributes", "*.png binary\ndocs/** export-ignore\n"), parents: []plumbing.Hash{root}})
	evil := tr.commit(commitSpec{files: with(base, ".gitattributes", "*.png binary\ndocs/** export-ignore\nvendor/lib/check.c export-ignore\n"), parents: []plumbing.Hash{benign}})
	macro := tr.commit(commitSpec{files: with(base, ".gitattributes", "[attr]drop export-ignore\n*.png binary\ndocs/** export-ignore\n*.c drop\n"), parents: []plumbing.Hash{evil}})
	tr.head(macro)
	if gitBin := findGit(); gitBin != "" {
		list := exec.Command(gitBin, "-C", tr.dir, "archive", "--format=tar", evil.String())
		list.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+t.TempDir())
		out, err := list.Output()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		rd := tar.NewReader(bytes.NewReader(out))
		for h, err := rd.Next(); err == nil; h, err = rd.Next() {
			names = append(names, h.Name)
		}
		if slices.Contains(names, "vendor/lib/check.c") || !slices.Contains(names, "vendor/lib/a.c") {
			t.Fatalf("git archive wrote %v, want vendor/lib/check.c left out", names)
		}
	}
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: vendorOnly}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleProtectedAttributes, evil)
		rtHas(t, res, RuleUnsignedProtected, evil)
		rtHas(t, res, RuleProtectedAttributes, macro)
		for _, f := range res.Findings {
			if f.Commit == benign.String() && f.Rule != RuleBinaryAdded {
				t.Errorf("benign attributes reported: %v", f)
			}
		}
	})
}
