package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackNpmEntryOutsidePackage: npm installs a package tarball with
// every entry's first folder stripped, so zzz/index.js, beside
// package/index.js, is installed over it; the inventory listed it as a
// file outside the package, under no digest, and the package's own
// index.js as the one installed. Reported at the entry (and which file it
// replaces); a package with every file under package/ is not, nor is an
// entry with no folder, which npm does not install.
func TestAttackNpmEntryOutsidePackage(t *testing.T) {
	t.Parallel()
	pj := []byte(`{"name":"left-pad","version":"1.3.0"}`)
	for _, c := range []struct {
		name    string
		entries []walktest.TarEntry
		want    map[string]string // path → what the message says
	}{
		{"over a package file", []walktest.TarEntry{
			{Name: "package/package.json", Data: pj}, {Name: "package/index.js", Data: []byte("good")}, {Name: "zzz/index.js", Data: []byte("EVIL")},
		}, map[string]string{"zzz/index.js": `installs it as "index.js", over package/index.js`}},
		{"new file", []walktest.TarEntry{
			{Name: "package/package.json", Data: pj}, {Name: "package/index.js", Data: []byte("good")}, {Name: "x/lib/hook.js", Data: []byte("EVIL")},
		}, map[string]string{"x/lib/hook.js": `installs it as "lib/hook.js";`}},
		{"clean", []walktest.TarEntry{
			{Name: "package/package.json", Data: pj}, {Name: "package/index.js", Data: []byte("good")}, {Name: "README", Data: []byte("top")},
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "left-pad-1.3.0.tgz")
			if err := os.WriteFile(p, walktest.Gzip(t, walktest.Tar(t, c.entries)), 0o644); err != nil {
				t.Fatal(err)
			}
			inv := openInv(t, p)
			if inv.Layout != LayoutNpm {
				t.Fatalf("layout %s", inv.Layout)
			}
			got := map[string]string{}
			for _, f := range inv.Findings {
				if f.Rule == RuleNpmOutsidePackage {
					got[f.Path] = f.Message
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("findings %v, want %v", got, c.want)
			}
			for p, w := range c.want {
				if !strings.Contains(got[p], w) {
					t.Errorf("%s: %q, want %q", p, got[p], w)
				}
			}
		})
	}
}

// TestNpmOutsidePackageOnlyForNpmTarballs: npm installs only a tarball
// whose package/ folder is its root's, so a zip holding package/ beside
// docs/, or a release tarball wrapping a package/ folder in its own
// (name-1.0/package/package.json, which npm cannot install: no
// package.json lies under the stripped folder), is no npm tarball whose
// other folders npm installs over it: no npm/entry-outside-package.
func TestNpmOutsidePackageOnlyForNpmTarballs(t *testing.T) {
	t.Parallel()
	pj := []byte(`{"name":"left-pad","version":"1.3.0"}`)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "bundle.zip")
	if err := os.WriteFile(zipPath, walktest.Zip(t, []walktest.ZipEntry{
		{Name: "package/package.json", Data: pj}, {Name: "package/index.js", Data: []byte("good")}, {Name: "docs/index.js", Data: []byte("doc")},
	}), 0o644); err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "left-pad-release-1.3.0.tgz")
	if err := os.WriteFile(tarPath, walktest.Gzip(t, walktest.Tar(t, []walktest.TarEntry{
		{Name: "left-pad-1.3.0/package/package.json", Data: pj}, {Name: "left-pad-1.3.0/package/index.js", Data: []byte("good")}, {Name: "left-pad-1.3.0/README", Data: []byte("top")},
	})), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{zipPath, tarPath} {
		for _, f := range openInv(t, p).Findings {
			if f.Rule == RuleNpmOutsidePackage {
				t.Errorf("%s: %s: %s", filepath.Base(p), f.Path, f.Message)
			}
		}
	}
}

// TestAttackNpmDotSlashEntry: node-tar strips an entry's first folder as
// its header writes it, with no cleaning, so ./index.js is installed as
// index.js, over package/index.js, and ./package/index.js as
// package/index.js; the inventory cleaned both names first, listing
// ./index.js as a top-level file npm does not install.
func TestAttackNpmDotSlashEntry(t *testing.T) {
	t.Parallel()
	pj := []byte(`{"name":"left-pad","version":"1.3.0"}`)
	p := filepath.Join(t.TempDir(), "left-pad-1.3.0.tgz")
	if err := os.WriteFile(p, walktest.Gzip(t, walktest.Tar(t, []walktest.TarEntry{
		{Name: "package/package.json", Data: pj}, {Name: "package/index.js", Data: []byte("good")},
		{Name: "./index.js", Data: []byte("EVIL")}, {Name: "./package/lib.js", Data: []byte("EVIL")},
	})), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"index.js":       `installs it as "index.js", over package/index.js`,
		"package/lib.js": `installs it as "package/lib.js"`,
	}
	got := map[string]string{}
	for _, f := range openInv(t, p).Findings {
		if f.Rule == RuleNpmOutsidePackage {
			got[f.Path] = f.Message
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for p, w := range want {
		if !strings.Contains(got[p], w) {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
}
