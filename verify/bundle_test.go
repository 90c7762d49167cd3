package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// writeBundle writes machofile.ExampleBundle under dir.
func writeBundle(t *testing.T, dir string) {
	t.Helper()
	for name, f := range exampleBundle(t) {
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
	t.Parallel()
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
			all = append(all, f.Path+" "+string(f.Rule))
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

// zipTree returns a zip archive of the tree under dir (symlinks as link
// entries), every file stored or deflated.
func zipTree(t *testing.T, dir string, store bool) []byte {
	t.Helper()
	var entries []zipEntry
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entries = append(entries, zipEntry{name: name, data: []byte(l), store: true, mode: os.ModeSymlink | 0o755})
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entries = append(entries, zipEntry{name: name, data: b, store: store})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return makeZip(t, entries)
}

// TestBundleInZip checks bundles inside zip archives, stored and deflated:
// the report does not depend on the number of workers (the archive stays
// open until its bundles are verified), the main executable is verified
// with its bundle's Info.plist and CodeResources, and an edited resource is
// found. (The versioned framework inside, with its symlinks, is checked as a
// bundle too: see TestZippedAppFrameworkLinksLegitimate.)
func TestBundleInZip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	for _, store := range []bool{false, true} {
		for _, edit := range []bool{false, true} {
			tree := t.TempDir()
			writeBundle(t, tree)
			if edit {
				p := filepath.Join(tree, "Example.app", "Contents", "Resources", "app.txt")
				b, _ := os.ReadFile(p)
				b[0] ^= 1
				os.WriteFile(p, b, 0o644)
			}
			z := filepath.Join(t.TempDir(), "release.zip")
			if err := os.WriteFile(z, zipTree(t, tree, store), 0o644); err != nil {
				t.Fatal(err)
			}
			var first []byte
			for _, w := range []int{1, 2, 7} {
				r := run(t, Options{Workers: w}, z)
				b, _ := json.Marshal(r)
				if first == nil {
					first = b
				} else if !bytes.Equal(first, b) {
					t.Fatalf("store %v edit %v: report with %d workers differs:\n%s\n---\n%s", store, edit, w, first, b)
				}
				if got := rulesFor(r, "Example.app/Contents/Resources/app.txt"); has(got, "error codesign/resource-modified") != edit {
					t.Errorf("store %v edit %v: app.txt findings %q", store, edit, got)
				}
				exe := fileByPath(r, "Example.app/Contents/MacOS/Example")
				if exe == nil || len(exe.Signatures) != 1 {
					t.Fatalf("store %v: main executable %+v", store, exe)
				}
				if d := checkDetail(exe.Signatures[0], "special-slots"); !strings.Contains(d, "Info.plist") || strings.Contains(d, "checked only when verifying the bundle") {
					t.Errorf("store %v: main executable not verified with its bundle: %q", store, d)
				}
			}
		}
	}
}

func checkDetail(s signing.Signature, name signing.CheckName) string {
	for _, c := range s.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}

// TestBundleStrays checks the Mach-O files inside a bundle directory that
// the bundle does not verify: they are checked on their own.
func TestBundleStrays(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeBundle(t, dir)
	app := filepath.Join(dir, "Example.app")
	fwB := filepath.Join(app, "Contents", "Frameworks", "Example Framework.framework", "Versions", "B")
	if err := os.MkdirAll(fwB, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTree(t, app, map[string][]byte{
		"stray":                            f.machoAdhoc,    // outside Contents
		"Contents/_CodeSignature/leftover": f.machoUnsigned, // in the skipped signature directory
		"Contents/Frameworks/Example Framework.framework/Versions/B/old": f.machoValid, // another version
		"Contents/Resources/tiny": {0xcf, 0xfa, 0xed, 0xfe, 1, 2}, // too short for codesign
	})
	for _, w := range []int{1, 2} {
		r := run(t, Options{Workers: w}, dir)
		for p, want := range map[string]signing.Status{
			"Example.app/stray":                            signing.StatusAdhoc,
			"Example.app/Contents/_CodeSignature/leftover": signing.StatusUnsigned,
			"Example.app/Contents/Frameworks/Example Framework.framework/Versions/B/old":                       signing.StatusValid,
			"Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib": signing.StatusValid,
		} {
			file := fileByPath(r, p)
			if file == nil || len(file.Signatures) == 0 {
				t.Errorf("workers %d: %s: %+v", w, p, file)
				continue
			}
			if got := file.Signatures[0].Status; got != want {
				t.Errorf("workers %d: %s: status %s, want %s", w, p, got, want)
			}
		}
		if got := rulesFor(r, "Example.app/Contents/Resources/tiny"); !has(got, "error file/malformed") {
			t.Errorf("workers %d: tiny: %q", w, got)
		}
	}
}
