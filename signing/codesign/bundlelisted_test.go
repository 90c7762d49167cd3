package codesign

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestIsBundleListed: a directory's listing answers IsBundle without a
// lookup when it holds none of the names a bundle's layout looks for, and
// agrees with IsBundle on every layout (the app's, a framework's, a
// Resources or a bare Info.plist, an extension-less signed bundle, an
// app with no Info.plist), on directories that are none, and on a
// lower-case "contents" (which a case-insensitive volume finds).
func TestIsBundleListed(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := []string{
		"A.app/Contents/Info.plist",
		"Noext/Contents/Info.plist",
		"Noext/Contents/_CodeSignature/CodeResources",
		"F.framework/Versions/A/Resources/Info.plist",
		"R.bundle/Resources/Info.plist",
		"P.plugin/Info.plist",
		"Bare.app/Contents/MacOS/Bare",
		"Plain/readme.txt",
		"Lower.app/contents/Info.plist",
		"Contents/Info.plist",
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("A", filepath.Join(root, "F.framework/Versions/Current")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "Empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(root)
	bundles := 0
	for _, dir := range []string{".", "A.app", "Noext", "F.framework", "R.bundle", "P.plugin", "Bare.app", "Plain", "Lower.app", "Empty", "A.app/Contents", "Contents"} {
		list, err := fs.ReadDir(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		if list == nil {
			list = []fs.DirEntry{}
		}
		want := IsBundle(fsys, dir)
		if want {
			bundles++
		}
		if got := IsBundleListed(fsys, dir, list); got != want {
			t.Errorf("%s: IsBundleListed %v, IsBundle %v", dir, got, want)
		}
		if got := IsBundleListed(fsys, dir, nil); got != want {
			t.Errorf("%s: IsBundleListed with no listing %v, IsBundle %v", dir, got, want)
		}
	}
	if bundles != 7 {
		t.Errorf("%d bundles among the fixtures, want 7 (the root, whose Contents holds an Info.plist, A.app, Noext, F.framework, R.bundle, P.plugin, Bare.app)", bundles)
	}
	// A listing without the layout's names is no bundle, whatever the
	// file system holds.
	if list, _ := fs.ReadDir(fsys, "Plain"); IsBundleListed(fsys, "A.app", list) {
		t.Error("a listing with no layout name was judged a bundle")
	}
}
