package verify

import (
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// A file named `lib\evil.dll` is lib/evil.dll to Windows, which takes a
// backslash for a separator, but no rule for lib/** matched it: rules match
// the name as the release holds it.
func TestAttackBackslashNameEscapesRule(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol := &Policy{Rules: []Rule{{Match: []string{"lib/**", "**/app.asar/lib/**"}, ForbidKinds: []Kind{KindPE}}}}
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{`lib\evil.dll`: f.peValid})
		mustFail(t, Options{Policy: pol}, `lib\evil.dll`, ruleWindowsAlias, dir)
	})
	t.Run("asar", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"app.asar": packAsar([]electronfix.AsarFile{
			{Path: "package.json", Data: []byte(`{"name":"x"}`)},
			{Path: `lib\evil.node`, Data: f.peValid},
		})})
		// The asar reader refuses the name itself (asar/unsafe-name).
		if r := run(t, Options{Policy: pol}, dir); r.Summary.Passed {
			t.Errorf("passed: %v", r.Findings)
		}
	})
	t.Run("clean", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"bin/good.dll": f.peValid})
		if r := run(t, Options{Policy: pol}, filepath.Join(dir)); !r.Summary.Passed {
			t.Errorf("fails: %v", r.Findings)
		}
	})
}

// Windows takes a backslash for a separator.
func TestWindowsNameBackslash(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`lib\evil.dll`:          "lib/evil.dll",
		`rel.zip/lib\\evil.dll`: "rel.zip/lib/evil.dll",
		`\evil.dll`:             "evil.dll",
		`lib.\evil.dll.`:        "lib/evil.dll",
		"lib/good.dll":          "lib/good.dll",
	} {
		if got := windowsName(in); got != want {
			t.Errorf("windowsName(%q) = %q, want %q", in, got, want)
		}
	}
}
