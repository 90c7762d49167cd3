package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// eolFixture marks files for CRLF line ends and $Id$ expansion, which git
// archive applies (convert_to_working_tree) before writing them.
var eolFixture = map[string]string{
	".gitattributes": "*.bat text eol=crlf\n*.txt eol=crlf\n*.c ident\n*.bin eol=crlf\nauto.sh text=auto eol=crlf\nbin.dat text=auto eol=crlf\n-crlf.md -text\nv.sh export-subst eol=crlf\n",
	"x.bat":          "a\nb\r\nc\n",
	"y.txt":          "a\nb\n",
	"auto.sh":        "a\nb\n",
	"bin.dat":        "a\nb\x00\n",
	"i.c":            "$Id$\n/* $Id: stale $ */\nq\n",
	"w.bin":          "a\nb\n\x00bin\n",
	"plain.sh":       "a\nb\n",
	"v.sh":           "V=$Format:%H$\necho $V\n",
}

// TestArtifactWorktreeForms: git archive writes files with eol=crlf (or
// text plus core.eol) with CRLF line ends and expands $Id$ in ident
// files, so its own tarball differed from the tree on every such file,
// and the only way out (artifactAllow) stopped all checking of them.
// Those forms, computed from the blob, now match; any other difference,
// or CRLF where no attribute asks for it, still differs.
func TestArtifactWorktreeForms(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	c := tr.commit(commitSpec{files: eolFixture})
	tr.tag("v1", c, nil)
	tr.head(c)
	if gitBin := findGit(); gitBin != "" {
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
		for _, f := range res.Findings {
			if strings.HasPrefix(string(f.Rule), "git/artifact-") {
				t.Errorf("git archive's tarball: %v", f)
			}
		}
		if res.Artifact.Matched != len(eolFixture) {
			t.Errorf("git archive's tarball: matched %d of %d", res.Artifact.Matched, len(eolFixture))
		}
	} else {
		t.Log("no git binary on PATH: git archive's own tarball is not checked")
	}
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	blobID := func(s string) string { return blobHashString(s).String() }
	for _, tc := range []struct {
		name, path, body string
		ok               bool
	}{
		{"crlf bat", "x.bat", "a\r\nb\r\nc\r\n", true},
		{"crlf txt", "y.txt", crlf("a\nb\n"), true},
		{"crlf auto", "auto.sh", crlf("a\nb\n"), true},
		{"crlf auto binary", "bin.dat", crlf("a\nb\x00\n"), false},
		{"crlf not asked", "plain.sh", crlf("a\nb\n"), false},
		{"crlf plus a line", "y.txt", crlf("a\nb\nc\n"), false},
		{"ident", "i.c", "$Id: " + blobID(eolFixture["i.c"]) + " $\n/* $Id: " + blobID(eolFixture["i.c"]) + " $ */\nq\n", true},
		{"ident other id", "i.c", "$Id: " + blobID("x") + " $\n/* $Id: " + blobID(eolFixture["i.c"]) + " $ */\nq\n", false},
		{"subst crlf", "v.sh", crlf("V=" + c.String() + "\necho $V\n"), true},
		{"subst crlf other", "v.sh", crlf("V=" + c.String() + "\necho $V; id\n"), false},
	} {
		var files []tarFile
		for p, v := range eolFixture {
			if p == tc.path {
				v = tc.body
			}
			files = append(files, tarFile{p, v})
		}
		res := auditTar(t, tr.dir, files)
		differs := false
		for _, f := range findingsOf(res, RuleArtifactContentDiffers) {
			differs = differs || f.Path == tc.path
		}
		if differs == tc.ok {
			t.Errorf("%s: %s differs = %v, want %v", tc.name, tc.path, differs, !tc.ok)
		}
	}
}
