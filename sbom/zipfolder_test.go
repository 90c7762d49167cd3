package sbom

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// zipRelease returns r zipped as packagers zip a release: every file
// under r.Root, links as symbolic link entries.
func zipRelease(t *testing.T, r *electronfix.Release) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, mode fs.FileMode, data []byte) {
		h := &zip.FileHeader{Name: r.Root + "/" + name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range r.Paths() {
		add(p, 0o644, r.Files[p])
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Links {
			if !yield(k) {
				return
			}
		}
	}) {
		add(p, fs.ModeSymlink|0o777, []byte(r.Links[p]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestZippedAppKeepsItsFolder: an Electron app zipped in its folder
// (Chatterbox-win32-x64/, Chatterbox.app/) is inventoried as the folder
// is, its files listed under their paths in the zip, the folder's name
// included, as verify checks them: same layout, versions, packages, and
// each file's component and version.
func TestZippedAppKeepsItsFolder(t *testing.T) {
	t.Parallel()
	for _, gen := range []func(electronfix.Spec) (*electronfix.Release, error){electronfix.Windows, electronfix.MacOS} {
		r, err := gen(electronfix.Clean())
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		folder, err := r.Write(dir)
		if err != nil {
			t.Fatal(err)
		}
		zp := filepath.Join(dir, r.Root+".zip")
		if err := os.WriteFile(zp, zipRelease(t, r), 0o644); err != nil {
			t.Fatal(err)
		}
		want, got := openRelease(t, folder), openRelease(t, zp)
		if got.Layout != want.Layout || got.Electron.Version != want.Electron.Version || got.App.Name != want.App.Name || got.App.Version != want.App.Version || len(got.Packages) != len(want.Packages) {
			t.Errorf("%s: zipped: %s, Electron %s, app %+v, %d packages; folder: %s, Electron %s, app %+v, %d packages", r.Root,
				got.Layout, got.Electron.Version, got.App, len(got.Packages), want.Layout, want.Electron.Version, want.App, len(want.Packages))
		}
		files := map[string]File{}
		for _, f := range got.Files {
			files[f.Path] = f
		}
		for _, f := range want.Files {
			z, ok := files[r.Root+"/"+f.Path]
			if !ok || z.Component != f.Component || z.Version != f.Version || z.SHA256 != f.SHA256 {
				t.Errorf("%s: %s in the zip: %+v (found %v), in the folder: %+v", r.Root, f.Path, z, ok, f)
			}
		}
		if len(got.Files) != len(want.Files) {
			t.Errorf("%s: %d files in the zip, %d in the folder", r.Root, len(got.Files), len(want.Files))
		}
	}
}
