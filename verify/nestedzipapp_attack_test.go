package verify

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// zippedAppBytes returns a zip of Example.app (links kept), after edit
// changed the app's folder when edit is set.
func zippedAppBytes(t *testing.T, edit func(app string)) []byte {
	t.Helper()
	tree := t.TempDir()
	writeBundle(t, tree)
	if edit != nil {
		edit(filepath.Join(tree, "Example.app"))
	}
	return zipTree(t, tree, false)
}

// TestAttackZippedAppInRelease: an app zipped inside the release (a
// folder's Example.zip, or a zip in a zip) was not verified as a bundle,
// as one in a zip given as the input is: its Mach-O files were checked
// one by one and its seal never, so a changed resource and a removed
// dylib passed `require: valid`. The zip's bundles are verified now.
func TestAttackZippedAppInRelease(t *testing.T) {
	t.Parallel()
	honest := zippedAppBytes(t, nil)
	tampered := zippedAppBytes(t, func(app string) {
		if err := os.WriteFile(filepath.Join(app, "Contents", "Resources", "app.txt"), []byte("trojan\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	for _, c := range []struct {
		name, at string
		files    map[string][]byte
	}{
		{"folder", "rel/Example.zip/", map[string][]byte{"rel/Example.zip": tampered}},
		{"zip-in-zip", "rel/outer.zip/Example.zip/", map[string][]byte{"rel/outer.zip": makeZip(t, []zipEntry{{name: "Example.zip", data: tampered}})}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, c.files)
			r := run(t, Options{Policy: requireValid()}, dir)
			if r.Summary.Passed {
				t.Error("require: valid passed")
			}
			p := c.at + "Example.app/Contents/Resources/app.txt"
			if got := rulesFor(r, p); !has(got, "error "+string(codesign.RuleResourceModified)) {
				t.Errorf("%s: findings %q", p, got)
			}
		})
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"rel/Example.zip": honest})
	r := run(t, Options{}, dir)
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError {
			t.Errorf("honest zipped app: %s %s: %s", f.Path, f.Rule, f.Message)
		}
	}
	if fb := fileByPath(r, "rel/Example.zip/Example.app/Contents/MacOS/Example"); fb == nil || len(fb.Signatures) == 0 || fb.Signatures[0].Status != signing.StatusValid {
		t.Errorf("main executable %+v", fb)
	}
}

// TestZippedAppsInZipWithinBudget: the bundles of a zip held in memory
// under the run's budget are verified as soon as its entries are, not at
// the end of the run: two zipped apps inside a zip, each taking most of
// the budget, are both verified, where the first one's bundle, queued,
// held the budget the second one waited for, for ever.
func TestZippedAppsInZipWithinBudget(t *testing.T) {
	t.Parallel()
	app := zippedAppBytes(t, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"rel/outer.zip": makeZip(t, []zipEntry{{name: "a/Example.zip", data: app}, {name: "b/Example.zip", data: app}})})
	done := make(chan *Report, 1)
	go func() { done <- run(t, Options{MaxBuffer: int64(len(app)) * 3 / 2}, dir) }()
	select {
	case r := <-done:
		for _, p := range []string{"rel/outer.zip/a/Example.zip/Example.app/Contents/MacOS/Example", "rel/outer.zip/b/Example.zip/Example.app/Contents/MacOS/Example"} {
			if fb := fileByPath(r, p); fb == nil || len(fb.Signatures) == 0 || fb.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: %+v", p, fb)
			}
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not finish: the budget is held by a queued bundle")
	}
}
