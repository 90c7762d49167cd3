package verify

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackEmptyReleaseInput: a release folder (or zip) with no files in it
// — a build that wrote its artifacts elsewhere, a folder of empty folders —
// passed with "0 files, 0 errors", so a gate pointed at the wrong place
// passed every release. An input folder or archive that holds no file
// fails the run; one that holds a file, beside an input that does, passes.
func TestAttackEmptyReleaseInput(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{"full/readme.txt": []byte("hello")})
	for _, d := range []string{"empty", "hollow/a/b"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
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
	for _, c := range []struct {
		inputs []string
		empty  string
	}{
		{[]string{p("empty")}, "empty"},
		{[]string{p("hollow")}, "hollow"},
		{[]string{p("empty.zip")}, "empty.zip"},
		{[]string{p("full"), p("empty")}, "empty"},
		{[]string{p("full")}, ""},
		{[]string{p("full"), p("full/readme.txt")}, ""},
	} {
		_, err := Release(context.Background(), Options{Workers: 1}, c.inputs...)
		if c.empty == "" {
			if err != nil {
				t.Errorf("%v: %v", c.inputs, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), p(c.empty)+" holds no files") {
			t.Errorf("%v: err %v, want one naming %s as empty", c.inputs, err, c.empty)
		}
	}
}
