package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestPackageJSONReadOnce checks that a package.json is read once, by the
// read that hashes it: the packages' step takes the bytes it kept
// (readSmall), for a file of a release folder and for a packed asar file
// read in a batch, and does not read the file again (its bytes are gone
// from under it by then); another file is read again as before.
func TestPackageJSONReadOnce(t *testing.T) {
	t.Parallel()
	const pj = `{"name":"a","version":"1.0.0"}`
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		full := filepath.Join(dir, "package.json")
		other := filepath.Join(dir, "index.js")
		for _, f := range []string{full, other} {
			if err := os.WriteFile(f, []byte(pj), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b := &builder{}
		items := []*item{{path: "node_modules/a/package.json", disk: full, folderPerm: true}, {path: "node_modules/a/index.js", disk: other, folderPerm: true}}
		b.hashAll(items)
		for _, f := range []string{full, other} {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if raw, err := b.readSmall(items[0]); err != nil || string(raw) != pj {
			t.Errorf("package.json: %q, %v; want its bytes as hashed", raw, err)
		}
		if _, err := b.readSmall(items[1]); err == nil {
			t.Error("index.js: read with no file to read")
		}
	})
	t.Run("asar", func(t *testing.T) {
		arc, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "node_modules/a/package.json", Data: []byte(pj)}})
		ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
		if err != nil {
			t.Fatal(err)
		}
		b := &builder{ar: ar}
		items := asarItems(ar, "resources/app.asar", true, 1, false)
		b.hashAll(items)
		if items[0].err != nil || items[0].sha256 == "" {
			t.Fatalf("not hashed: %v", items[0].err)
		}
		clear(arc[len(arc)-len(pj):])
		if raw, err := b.readSmall(items[0]); err != nil || string(raw) != pj {
			t.Errorf("package.json: %q, %v; want its bytes as hashed", raw, err)
		}
	})
}
