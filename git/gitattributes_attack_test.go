package git

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// attrFixture is a tree whose .gitattributes mark files export-subst and
// export-ignore the ways git archive honours beyond a root file of plain
// "pattern attr" lines: a later -export-subst line, a directory pattern
// (which does not reach the files inside), a macro, a nested
// .gitattributes that sets and unsets, and directory export-ignore.
var attrFixture = map[string]string{
	".gitattributes":           "src export-subst\n* export-subst\n*.c -export-subst\n[attr]stamp export-subst\n*.py stamp\nd1 export-ignore\nd2/ export-ignore\n",
	"sub/.gitattributes":       "*.txt -export-subst\ndeep/*.txt export-subst\n",
	"src/x.c":                  "v=$Format:%H$\n",
	"top.c":                    "v=$Format:%H$\n",
	"top.txt":                  "v=$Format:%H$\n",
	"sub/y.txt":                "v=$Format:%H$\n",
	"sub/deep/z.txt":           "v=$Format:%H$\n",
	"sub/m.py":                 "v=$Format:%H$\n",
	"d1/a":                     "a\n",
	"d2/b":                     "b\n",
	"keep/\"quoted name\".txt": "v=$Format:%H$\n",
	"keep/.gitattributes":      "\"\\\"quoted name\\\".txt\" -export-subst\n",
	"keep/!neg.txt":            "v=$Format:%H$\n",
	"keep/more/.gitattributes": "!neg.txt -export-subst\n",
	"bad/.gitattributes":       "*.txt -export-subst bad!name\n*.c export-subst in/valid\n[attr]bad!m export-subst\n",
	"bad/a.txt":                "v=$Format:%H$\n",
	"bad/c.c":                  "v=$Format:%H$\n",
}

// TestAttackExportSubstNestedAttributes: only the root .gitattributes was
// read, line by line, each "pattern export-subst" line making the pattern
// (and everything below it) export-subst. So src/x.c and top.c (a later
// "-export-subst", a directory pattern) and sub/y.txt (unset by a nested
// file) were taken as export-subst though git archive leaves their
// $Format:…$ alone: an artifact with those placeholders replaced passed as
// matching. And sub/deep/z.txt (set by the nested file) was not, so git
// archive's own tarball failed. Attributes are now evaluated as git does;
// the expected states are checked against git archive itself.
func TestAttackExportSubstNestedAttributes(t *testing.T) {
	t.Parallel()
	gitBin := findGit()
	tr := newTestRepo(t)
	c := tr.commit(commitSpec{files: attrFixture})
	tr.tag("v1", c, nil)
	tr.head(c)
	want := map[string]bool{"top.txt": true, "sub/deep/z.txt": true, "sub/m.py": true, "keep/!neg.txt": true, "bad/a.txt": true}
	g, err := func() (*gitAttrs, error) {
		r, err := openRepo(tr.dir)
		if err != nil {
			return nil, err
		}
		defer r.close()
		cc, err := r.commit(c)
		if err != nil {
			return nil, err
		}
		return r.loadAttrs(cc.tree)
	}()
	if err != nil {
		t.Fatal(err)
	}
	for p := range attrFixture {
		if !strings.HasSuffix(p, ".gitattributes") && !strings.HasPrefix(p, "d") {
			if got := g.is(p, false, "export-subst"); got != want[p] {
				t.Errorf("export-subst on %s = %v, want %v", p, got, want[p])
			}
		}
	}
	if !exportIgnored(g, "d1/a") || !exportIgnored(g, "d2/b") || exportIgnored(g, "top.c") {
		t.Errorf("export-ignore: d1/a %v, d2/b %v, top.c %v; want true, true, false", exportIgnored(g, "d1/a"), exportIgnored(g, "d2/b"), exportIgnored(g, "top.c"))
	}

	// An artifact with every placeholder expanded: the files git archive
	// leaves alone now differ.
	var files []tarFile
	for p, v := range attrFixture {
		if strings.HasPrefix(p, "d1/") || strings.HasPrefix(p, "d2/") {
			continue
		}
		files = append(files, tarFile{p, strings.ReplaceAll(v, "$Format:%H$", c.String())})
	}
	res := auditTar(t, tr.dir, files)
	got := map[string]bool{}
	for _, f := range findingsOf(res, RuleArtifactContentDiffers) {
		got[f.Path] = true
	}
	for p := range attrFixture {
		if strings.Contains(attrFixture[p], "$Format") && got[p] == want[p] {
			t.Errorf("all expanded: %s differs = %v, want %v", p, got[p], !want[p])
		}
	}
	rtNone(t, res, RuleArtifactFileMissing)

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
	res, err = Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("git archive's tarball: %v", res.Findings)
	}
}

type tarFile struct{ name, body string }

// auditTar audits the tree at v1 of repo against a tarball of files.
func auditTar(t *testing.T, repo string, files []tarFile) *Result {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Audit(t.Context(), repo, Options{Until: "v1", ArtifactPath: out})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
