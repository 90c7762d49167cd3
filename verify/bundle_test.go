package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
)

// writeBundle writes machofile.ExampleBundle under dir.
func writeBundle(t *testing.T, dir string) {
	t.Helper()
	for name, f := range machofile.ExampleBundle(getFixtures(t).apple) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if f.Link != "" {
			if err := os.Symlink(f.Link, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := f.Mode.Perm()
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBundle(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, dir)
	app := filepath.Join(dir, "Example.app")

	r := run(t, Options{}, app)
	for _, f := range r.Findings {
		if f.Severity.String() == "error" {
			t.Errorf("intact bundle: %s %s %s", f.Path, f.Rule, f.Message)
		}
	}
	if fileByPath(r, "Contents/Info.plist") == nil {
		t.Errorf("paths are not relative to the .app: %+v", r.Files[0].Path)
	}

	// An edited sealed resource is a bundle-level finding.
	res := filepath.Join(app, "Contents", "Resources", "app.txt")
	b, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	os.WriteFile(res, b, 0o644)
	r = run(t, Options{}, dir)
	if got := rulesFor(r, "Example.app/Contents/Resources/app.txt"); !has(got, "error codesign/resource-modified") {
		var all []string
		for _, f := range r.Findings {
			all = append(all, f.Path+" "+f.Rule)
		}
		t.Errorf("edited resource: findings %q; all: %s", got, strings.Join(all, "\n"))
	}
	if r.Summary.Passed {
		t.Errorf("edited bundle passed")
	}
	// Given the .app itself, paths start inside it; a symlink to the .app
	// is followed as an input.
	link := filepath.Join(t.TempDir(), "Linked.app")
	if err := os.Symlink(app, link); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{app, link} {
		r = run(t, Options{}, in)
		if got := rulesFor(r, "Contents/Resources/app.txt"); !has(got, "error codesign/resource-modified") {
			t.Errorf("%s: findings %q", in, got)
		}
	}
}
