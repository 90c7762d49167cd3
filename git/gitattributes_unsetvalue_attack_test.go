package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackExportSubstUnsetWithValue: git reads "-export-subst=1" and
// "!export-subst=x" in a .gitattributes as "-export-subst" and
// "!export-subst" (attr.c's parse_attr ignores a value after "-" or "!"),
// so "* export-subst" then "*.txt -export-subst=1" leaves a.txt's
// $Format:%H$ alone in git archive's tarball. The audit kept the
// attribute's name as "export-subst=1", which names no attribute, took
// a.txt as export-subst, and an artifact with its placeholder replaced by
// any commit id passed as matching. The name is now cut at "=" as git
// cuts it (found by FuzzGitAttributes).
func TestAttackExportSubstUnsetWithValue(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		".gitattributes": "* export-subst\n*.txt -export-subst=1\n*.md !export-subst=x\n",
		"a.txt":          "v=$Format:%H$\n",
		"b.md":           "v=$Format:%H$\n",
		"c.sh":           "v=$Format:%H$\n",
	}
	g := &gitAttrs{files: map[string][]attrLine{}, macros: map[string][]attrState{}}
	g.files[""] = g.parse(files[".gitattributes"], true)
	for p, want := range map[string]bool{"a.txt": false, "b.md": false, "c.sh": true} {
		if got := g.is(p, false, "export-subst"); got != want {
			t.Errorf("export-subst on %s = %v, want %v", p, got, want)
		}
	}

	tr := newTestRepo(t)
	c := tr.commit(commitSpec{files: files})
	tr.tag("v1", c, nil)
	tr.head(c)
	var art []tarFile
	for p, v := range files {
		art = append(art, tarFile{p, strings.ReplaceAll(v, "$Format:%H$", c.String())})
	}
	got := map[string]bool{}
	for _, f := range findingsOf(auditTar(t, tr.dir, art), RuleArtifactContentDiffers) {
		got[f.Path] = true
	}
	if !got["a.txt"] || !got["b.md"] || got["c.sh"] {
		t.Errorf("placeholders expanded: differing files %v, want a.txt and b.md", got)
	}

	gitBin := findGit()
	if gitBin == "" {
		t.Log("no git binary on PATH: git archive's own tarball is not checked")
		return
	}
	out := filepath.Join(t.TempDir(), "a.tar")
	cmd := exec.Command(gitBin, "-C", tr.dir, "archive", "--format=tar", "-o", out, "v1")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v: %s", err, b)
	}
	res, err := Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("git archive's tarball: %v", res.Findings)
	}
}
