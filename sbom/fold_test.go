package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// orderedZip returns a zip archive of the names in order ("x/" a folder).
func orderedZip(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(n, "/") {
			w.Write([]byte(n))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// collisionPaths returns the paths of the inventory's
// file/name-collision findings, in order.
func collisionPaths(fs []string) []string {
	var out []string
	for _, f := range fs {
		if p, ok := strings.CutPrefix(f, "warning "+string(release.RuleNameCollision)+" "); ok {
			out = append(out, p)
		}
	}
	return out
}

// TestZipNameCollision: the inventory of a zip reports, as verify does,
// entries that are one on some case-insensitive file system (case, a
// trailing dot Windows drops, a character HFS+ ignores, a file and a
// folder), and not names distinct everywhere.
func TestZipNameCollision(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"distinct", []string{"a/b", "a-b", "caf\u00e9", "caf\u00e8", "Lib/", "lib/x"}, nil},
		{"case", []string{"App.dll", "app.dll"}, []string{"app.dll"}},
		{"windows trailing dot", []string{"foo.dll", "foo.dll."}, []string{"foo.dll."}},
		{"hfs+ ignorable", []string{"lib\u200dfoo.dylib", "libfoo.dylib"}, []string{"libfoo.dylib"}},
		{"file versus folder", []string{"Lib", "lib/foo.dll", "lib/bar.dll"}, []string{"lib/foo.dll"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Open(writeFile(t, t.TempDir(), "r.zip", orderedZip(t, tc.files...)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := collisionPaths(findingKeys(inv.Findings)); !slices.Equal(got, tc.want) {
				t.Errorf("collisions %q, want %q; findings %q", got, tc.want, findingKeys(inv.Findings))
			}
		})
	}
}

// TestTarNameCollision: the same for a tarball, folder entries included.
func TestTarNameCollision(t *testing.T) {
	t.Parallel()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, h := range []*tar.Header{{Name: "A", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}, {Name: "a/", Typeflag: tar.TypeDir, Mode: 0o755}, {Name: "b.exe", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}, {Name: "b.exe ", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, h.Size))
	}
	tw.Close()
	inv, err := Open(writeFile(t, t.TempDir(), "r.tar", tb.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := collisionPaths(findingKeys(inv.Findings)); !slices.Equal(got, []string{"a", "b.exe "}) {
		t.Errorf("collisions %q; findings %q", got, findingKeys(inv.Findings))
	}
}
