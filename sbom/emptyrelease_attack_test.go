package sbom

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEmptyRelease: a release folder or archive with no file in it
// (a build that wrote its artifacts elsewhere, a folder of empty folders)
// gave an empty SBOM and an empty diff, so a pipeline pointed at the wrong
// place published "nothing changed". Open, and so sbom and diff, fail such
// an input as verify does; a folder holding one file still opens.
func TestAttackEmptyRelease(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	for _, d := range []string{"empty", "hollow/a/b", "full"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "full", "readme.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	zf, err := os.Create(filepath.Join(base, "empty.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := zip.NewWriter(zf).Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()
	p := func(n string) string { return filepath.Join(base, n) }
	for _, n := range []string{"empty", "hollow", "empty.zip"} {
		_, err := Open(p(n), Options{Workers: 1})
		if !errors.Is(err, ErrEmptyRelease) || !strings.Contains(err.Error(), p(n)) {
			t.Errorf("Open(%s): err %v, want ErrEmptyRelease naming it", n, err)
		}
		_, err = DiffReleases(context.Background(), p("full"), p(n), DiffOptions{Inventory: Options{Workers: 1}})
		if !errors.Is(err, ErrEmptyRelease) {
			t.Errorf("DiffReleases(full, %s): err %v, want ErrEmptyRelease", n, err)
		}
	}
	if inv, err := Open(p("full"), Options{Workers: 1}); err != nil || len(inv.Files) != 1 {
		t.Errorf("Open(full): %v, %+v", err, inv)
	}
}
