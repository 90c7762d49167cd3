package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// zippedApp writes the example app (with its versioned framework and that
// framework's symlinks) under a fresh folder, lets edit change it, and
// returns the path of a zip of it with the links kept as link entries, as
// ditto -c -k, zip -y and git archive --format=zip make them.
func zippedApp(t *testing.T, edit func(fw string)) string {
	t.Helper()
	tree := t.TempDir()
	writeBundle(t, tree)
	if edit != nil {
		edit(filepath.Join(tree, "Example.app", "Contents", "Frameworks", "Example Framework.framework"))
	}
	z := filepath.Join(t.TempDir(), "Example.zip")
	if err := os.WriteFile(z, zipTree(t, tree, false), 0o644); err != nil {
		t.Fatal(err)
	}
	return z
}

// TestZippedAppFrameworkLinksLegitimate checks an honest zipped macOS app
// whose framework keeps its layout links (Versions/Current -> A, the
// top-level links into Versions/Current): the framework is found as a
// bundle, as in a folder, and nothing in it reads as added after signing.
// archive/zip's file system reads no links, and every such app failed with
// eight codesign/resource-modified errors.
func TestZippedAppFrameworkLinksLegitimate(t *testing.T) {
	t.Parallel()
	r := run(t, Options{}, zippedApp(t, nil))
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError {
			t.Errorf("honest zipped app: %s %s: %s", f.Path, f.Rule, f.Message)
		}
	}
	if !r.Summary.Passed {
		t.Errorf("honest zipped app failed the gate")
	}
	fw := "Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Example Framework"
	if f := fileByPath(r, fw); f == nil || len(f.Signatures) != 1 {
		t.Errorf("framework executable not verified: %+v", f)
	}
}

// TestAttackZippedAppFrameworkLinks keeps the attack side of reading a
// zip's links: a framework whose Versions/Current is pointed at another,
// unsealed version, or whose top-level link is retargeted, still fails.
func TestAttackZippedAppFrameworkLinks(t *testing.T) {
	t.Parallel()
	cases := map[string]func(fw string){
		"Current to an unsealed version": func(fw string) {
			v := filepath.Join(fw, "Versions")
			if err := os.CopyFS(filepath.Join(v, "B"), os.DirFS(filepath.Join(v, "A"))); err != nil {
				t.Fatal(err)
			}
			b := filepath.Join(v, "B", "Resources", "Info.plist")
			data, _ := os.ReadFile(b)
			os.WriteFile(b, append(data, ' '), 0o644)
			os.Remove(filepath.Join(v, "Current"))
			if err := os.Symlink("B", filepath.Join(v, "Current")); err != nil {
				t.Fatal(err)
			}
		},
		"top-level link retargeted": func(fw string) {
			l := filepath.Join(fw, "Resources")
			os.Remove(l)
			if err := os.Symlink("Versions/Current/Resources/../../..", l); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, edit := range cases {
		r := run(t, Options{}, zippedApp(t, edit))
		if r.Summary.Passed {
			var all []string
			for _, f := range r.Findings {
				all = append(all, f.Path+" "+string(f.Rule))
			}
			t.Errorf("%s: passed; findings %q", name, all)
		}
	}
}

// appleDouble is an AppleDouble file (RFC 1740) holding an empty Finder
// info entry, as macOS writes "._name" companions.
func appleDouble() []byte {
	b := []byte{0, 5, 0x16, 7, 0, 2, 0, 0}
	b = append(b, "Mac OS X        "...)
	b = append(b, 0, 1, 0, 0, 0, 9, 0, 0, 0, 38, 0, 0, 0, 32)
	return append(b, make([]byte, 32)...)
}

// zipWith returns the path of a zip of the example app (links kept) with
// the extra entries.
func zipWith(t *testing.T, extra ...zipEntry) string {
	t.Helper()
	tree := t.TempDir()
	writeBundle(t, tree)
	for _, e := range extra {
		writeTree(t, tree, map[string][]byte{e.name: e.data})
	}
	z := filepath.Join(t.TempDir(), "Example.zip")
	if err := os.WriteFile(z, zipTree(t, tree, false), 0o644); err != nil {
		t.Fatal(err)
	}
	return z
}

// TestZippedAppSequesteredMetadataLegitimate checks an app zipped as the
// Finder and ditto -c -k --sequesterRsrc do: the files' metadata as
// AppleDouble files under __MACOSX/, outside the app. It passes.
func TestZippedAppSequesteredMetadataLegitimate(t *testing.T) {
	t.Parallel()
	r := run(t, Options{}, zipWith(t,
		zipEntry{name: "__MACOSX/Example.app/Contents/._Info.plist", data: appleDouble()},
		zipEntry{name: "__MACOSX/Example.app/Contents/MacOS/._Example", data: appleDouble()}))
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError {
			t.Errorf("sequestered metadata: %s %s: %s", f.Path, f.Rule, f.Message)
		}
	}
}

// TestAttackZippedAppAppleDoubleInBundle keeps an AppleDouble companion
// inside the app (ditto -c -k without --sequesterRsrc) an error, since
// unzip extracts it into the sealed bundle and its attributes can hold any
// bytes; the message says what it is and how to pack the app instead. A
// "._" file that is not AppleDouble gets no such explanation.
func TestAttackZippedAppAppleDoubleInBundle(t *testing.T) {
	t.Parallel()
	r := run(t, Options{}, zipWith(t,
		zipEntry{name: "Example.app/Contents/._Info.plist", data: appleDouble()},
		zipEntry{name: "Example.app/Contents/._PkgInfo", data: []byte("not AppleDouble")}))
	if r.Summary.Passed {
		t.Fatal("app with files added inside passed")
	}
	for p, hint := range map[string]bool{"Example.app/Contents/._Info.plist": true, "Example.app/Contents/._PkgInfo": false} {
		fs := zipFindings(r, p, "codesign/resource-modified")
		if len(fs) != 1 || fs[0].Severity != signing.SeverityError {
			t.Errorf("%s: findings %+v", p, fs)
			continue
		}
		if got := strings.Contains(fs[0].Message, "--sequesterRsrc"); got != hint {
			t.Errorf("%s: AppleDouble hint %v, message %q", p, got, fs[0].Message)
		}
	}
}
