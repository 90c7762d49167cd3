package verify

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackBundleWithoutExtension: a bundle was known by its extension
// only. Renamed to a folder name without one (or with one shipgate did not
// list), a signed app was walked as loose files: its main executable was
// verified on its own, so its Info.plist and CodeResources went unchecked
// and an edited resource passed. A folder with Contents/Info.plist and a
// _CodeSignature/CodeResources seal is a bundle whatever its name.
func TestAttackBundleWithoutExtension(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	app := filepath.Join(dir, "Example")
	if err := os.Rename(filepath.Join(dir, "Example.app"), app); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(app, "Contents", "Resources", "app.txt")
	if err := os.WriteFile(res, []byte("trojaned resource\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "Example/Contents/Resources/app.txt"); !has(got, "error codesign/resource-modified") {
		t.Errorf("edited resource of a bundle without an extension: findings %q", got)
	}
	if r.Summary.Passed {
		t.Error("edited bundle without an extension passed")
	}
}
