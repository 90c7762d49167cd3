package sbom

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAttackRuntimeFileReplacedByLink: the inventory does not follow a
// symbolic link that stays inside the release, so libffmpeg.dylib
// replaced by a link to a dylib elsewhere in the bundle (one whose change
// a version bump excuses, or new code) left the runtime file simply gone
// from the inventory: the diff listed it removed, with no finding, while
// the application loads the link's target in its place. A runtime file
// gone while Electron's version stayed is now a warning.
func TestAttackRuntimeFileReplacedByLink(t *testing.T) {
	t.Parallel()
	const lib = "Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	dir := t.TempDir()
	write := func(root string, link bool) *Inventory {
		t.Helper()
		app := filepath.Join(dir, root, "A.app")
		for p, body := range map[string]string{
			"Contents/Info.plist":         "<?xml version=\"1.0\"?><plist><dict><key>CFBundleShortVersionString</key><string>1.0.0</string></dict></plist>",
			"Contents/Resources/other.js": "x",
		} {
			full := filepath.Join(app, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		full := filepath.Join(app, filepath.FromSlash(lib))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if link {
			if err := os.Symlink("../../../../../Resources/other.js", full); err != nil {
				t.Skipf("symbolic links: %v", err)
			}
		} else if err := os.WriteFile(full, []byte("ffmpeg"), 0o644); err != nil {
			t.Fatal(err)
		}
		inv, err := Open(app, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	old, n := write("old", false), write("new", true)
	if !slices.ContainsFunc(old.Files, func(f File) bool { return f.Path == lib && f.Component == "electron" }) {
		t.Fatalf("old release: %s is not a runtime file: %+v", lib, old.Files)
	}
	got := strings.Join(findingKeys(Diff(old, n).Findings), "\n")
	if !strings.Contains(got, "warning diff/runtime-file-removed "+lib) {
		t.Errorf("findings:\n%s\nwant diff/runtime-file-removed on %s", got, lib)
	}
}

// TestRuntimeFileRemovedWithUpgrade: runtime files gone with an Electron
// upgrade are no finding.
func TestRuntimeFileRemovedWithUpgrade(t *testing.T) {
	t.Parallel()
	n := caseBase()
	n.Electron.Version = "31.0.0"
	n.Files = n.Files[:1]
	n.Files[0].Version = "31.0.0"
	n.Binaries[0].Version = "31.0.0"
	if got := findingKeys(Diff(caseBase(), n).Findings); slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "runtime-file-removed") }) {
		t.Errorf("findings %v", got)
	}
	n = caseBase()
	n.Files = n.Files[:1]
	if got := strings.Join(findingKeys(Diff(caseBase(), n).Findings), "\n"); got != "warning diff/runtime-file-removed icudtl.dat" {
		t.Errorf("findings:\n%s", got)
	}
}
