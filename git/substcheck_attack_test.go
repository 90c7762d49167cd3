package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackExportSubstAbbrevAndSubject: version.txt is export-subst with
// "$Format:%h$" and "$Format:%s$". Their expansions were only reported (a
// note for plain text), whatever they said: an artifact naming another
// commit and another release passed. They are now held to what git can
// write for the commit at --until (an id prefix of 4 digits or more, the
// subject as pretty.c cuts it); git archive's own tarball still passes.
func TestAttackExportSubstAbbrevAndSubject(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	files := map[string]string{
		".gitattributes": "version.txt export-subst\n",
		"version.txt":    "commit=$Format:%h$ subject=$Format:%s$ end\n",
	}
	c := tr.commit(commitSpec{files: files, msg: "\n  Release 1.0  \nfinal  \n\n\nBody text\n"})
	tr.tag("v1", c, nil)
	tr.head(c)
	art := func(h, s string) []tarFile {
		return []tarFile{{".gitattributes", files[".gitattributes"]}, {"version.txt", "commit=" + h + " subject=" + s + " end\n"}}
	}
	id := c.String()
	for _, tc := range []struct {
		name, h, s string
		ok         bool
	}{
		{"git's", id[:7], "  Release 1.0 final", true},
		{"long abbrev", id[:12], "  Release 1.0 final", true},
		{"other commit", "deadbeef", "  Release 1.0 final", false},
		{"abbrev too short", id[:3], "  Release 1.0 final", false},
		{"other subject", id[:7], "  Release 9.9 final", false},
		{"untrimmed subject", id[:7], "  Release 1.0   final", false},
	} {
		res := auditTar(t, tr.dir, art(tc.h, tc.s))
		differs := len(findingsOf(res, RuleArtifactContentDiffers)) > 0
		if differs == tc.ok {
			t.Errorf("%s: content differs = %v, want %v: %v", tc.name, differs, !tc.ok, res.Findings)
		}
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
	for _, f := range res.Findings {
		if f.Severity != signing.SeverityNote {
			t.Errorf("git archive's tarball: %v", f)
		}
	}
}

// TestMessagePartsLikeGit: messageParts cuts %s and %b as git log does.
func TestMessagePartsLikeGit(t *testing.T) {
	t.Parallel()
	gitBin := findGit()
	if gitBin == "" {
		t.Skip("no git binary on PATH")
	}
	tr := newTestRepo(t)
	for _, msg := range []string{
		"one\n",
		"\n\n  Subject  \ncontinued\t\n \n\n\nbody 1\n\n  body 2  \n\n",
		"no newline",
		"subject\n\nbody",
		"\r\nCRLF subject\r\n\r\nbody\r\n",
	} {
		c := tr.commit(commitSpec{files: map[string]string{"a": "a\n"}, msg: msg})
		got := runGit(t, tr.dir, "log", "-1", "--format=[%s]%x00[%b]", c.String())
		s, b := messageParts(msg)
		if want := "[" + s + "]\x00[" + b + "]"; got != want {
			t.Errorf("message %q: git %q, messageParts %q", msg, got, want)
		}
	}
}

// TestSubstCheckBudget: a template of many %h placeholders between
// repeated literals against an artifact built to make the split search
// try many regions ends within the budget, reported as differing.
func TestSubstCheckBudget(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	tpl := strings.Repeat("$Format:%h$a", 2000)
	files := map[string]string{".gitattributes": "v.txt export-subst\n", "v.txt": tpl}
	c := tr.commit(commitSpec{files: files})
	tr.tag("v1", c, nil)
	tr.head(c)
	art := strings.Repeat("a", maxSubstFile-10)
	start := time.Now()
	res := auditTar(t, tr.dir, []tarFile{{".gitattributes", files[".gitattributes"]}, {"v.txt", art}})
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	if len(findingsOf(res, RuleArtifactContentDiffers)) != 1 {
		t.Errorf("findings %v, want v.txt differing", res.Findings)
	}
}
