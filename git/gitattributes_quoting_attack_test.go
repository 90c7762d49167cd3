package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// attrQuotingFixture is a root .gitattributes whose lines git reads
// otherwise than Go's strconv.Unquote and strings.Fields would: escapes
// git's unquote_c_style refuses (\x41, \u0043: the pattern is then taken
// as written, quotes and all), octal and C escapes it takes, a byte that
// is not UTF-8, and separators git does not split at (\v, a no-break
// space: part of an invalid attribute name, so the line is dropped).
const attrQuotingFixture = "* export-subst\n" +
	"\"\\x41.txt\" -export-subst\n\"\\u0043.txt\" -export-subst\n" +
	"\"\\x44.txt\" eol=crlf\n" +
	"\"\\101b.txt\" -export-subst\n\"d\\t.txt\" -export-subst\n\"caf\xe9.txt\" -export-subst\n" +
	"v.txt -export-subst\vx\nn.txt -export-subst\u00a0x\n" +
	"w.txt -export-subst\nw.txt export-subst\vx\n"

// TestAttackAttributesGitQuoting: the audit unquoted a quoted
// .gitattributes pattern with Go's strconv.Unquote, which takes \x41 and
// \u0043 and refuses bytes that are not UTF-8 (dropping the line), and
// split attributes at every Unicode space. git takes "\x41.txt" as the
// pattern "\x41.txt" written with its quotes (matching no A.txt), a
// Latin-1 name as it is, and drops "export-subst\vx" as one invalid
// name. So with "* export-subst" above, caf\xe9.txt (unset by its quoted
// line) and w.txt (unset, then "set" by a line git drops) were
// export-subst to the audit and not to git: an artifact with their
// $Format:%H$ replaced passed as matching where git archive leaves it
// alone; D.txt had an eol git never gave it; and A.txt, C.txt, v.txt,
// n.txt were not export-subst to the audit, though git archive expands
// them. Patterns are now unquoted as unquote_c_style does, and fields
// split at " \t\r\n" only (attr.c); the states are checked against git
// check-attr when git is on PATH.
func TestAttackAttributesGitQuoting(t *testing.T) {
	t.Parallel()
	g := &gitAttrs{files: map[string][]attrLine{}, macros: map[string][]attrState{}}
	g.files[""] = g.parse(attrQuotingFixture, true)
	want := map[string]bool{"A.txt": true, "C.txt": true, "Ab.txt": false, "d\t.txt": false, "caf\xe9.txt": false, "v.txt": true, "n.txt": true, "w.txt": false, "x.txt": true}
	for p, w := range want {
		if got := g.is(p, false, "export-subst"); got != w {
			t.Errorf("export-subst on %q = %v, want %v", p, got, w)
		}
	}
	if got := g.value("D.txt", false, "eol"); got != "" {
		t.Errorf("eol on D.txt = %q, want none", got)
	}
	gitBin := findGit()
	if gitBin == "" {
		t.Log("no git binary on PATH: git check-attr is not asked")
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(gitBin, "init", "-q", dir)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, b)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte(attrQuotingFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	for p, w := range want {
		cmd := exec.Command(gitBin, "-C", dir, "-c", "core.quotePath=false", "check-attr", "-z", "export-subst", "--", p)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git check-attr %q: %v", p, err)
		}
		f := strings.Split(string(out), "\x00")
		if len(f) < 3 || (f[2] == "set") != w {
			t.Errorf("git check-attr export-subst %q = %q, want set %v", p, f, w)
		}
	}
}
