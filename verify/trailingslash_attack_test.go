package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/glob"
)

// A rule for "vendor/" (a folder, as .gitignore writes it) matched nothing:
// the glob was taken for the file "vendor", so native code the rule forbade
// below it passed.
func TestAttackPolicyTrailingSlashGlob(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"vendor/\"]\n    forbidKinds: [pe]\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"vendor/lib/x.dll": f.peValid, "app/y.dll": f.peValid})
	r := mustFail(t, Options{Policy: pol}, "vendor/lib/x.dll", ruleForbiddenKind, dir)
	for _, x := range r.Findings {
		if x.Path == "app/y.dll" && x.Rule == ruleForbiddenKind {
			t.Errorf("the rule for vendor/ applies outside it: %s", x.Message)
		}
	}
}

// A trailing "/" matches everything below the folder, at any depth, and
// the folder itself (an Apple bundle is checked under its folder's path), but
// not a sibling that starts like it or a folder of that name deeper down.
func TestAttackTrailingSlashMatchesBelow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"vendor/", "vendor/a", true},
		{"vendor/", "vendor/a/b/c.dll", true},
		{"vendor/", "vendor", true},
		{"vendor/", "vendor2/a", false},
		{"vendor/", "x/vendor/a", false},
		{"**/vendor/", "x/vendor/a", true},
		{"lib/*/", "lib/x/y.dll", true},
	} {
		if got := MatchGlob(c.g, c.p); got != c.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
		if got := glob.Match(c.g, c.p); got != c.want {
			t.Errorf("glob.Match(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}
