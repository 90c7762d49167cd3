package verify

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing/codesign"
)

// TestAttackAppWithoutInfoPlist: an app with no Info.plist, which macOS
// runs by the bundle's name (Run.app/Contents/MacOS/Run), was walked as
// loose files: a script app passed `require: valid` as a folder of other
// files, and a signed app stripped of its Info.plist, a resource changed,
// passed with its main executable verified alone. In a folder, a zip
// archive and a disk image both are bundles now, failing with
// codesign/missing-info-plist.
func TestAttackAppWithoutInfoPlist(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	delete(bundle, "Example.app/Contents/Info.plist")
	app := bundle["Example.app/Contents/Resources/app.txt"]
	app.Data = []byte("trojan\n")
	bundle["Example.app/Contents/Resources/app.txt"] = app
	tree := map[string][]byte{"Run.app/Contents/MacOS/Run": terminalScript}
	var zip []zipEntry
	for p, f := range bundle {
		if f.Link == "" {
			tree[p] = f.Data
			zip = append(zip, zipEntry{name: p, data: f.Data})
		}
	}
	zip = append(zip, zipEntry{name: "Run.app/Contents/MacOS/Run", data: terminalScript})
	dmg := hfsDMG(t, bundle, map[string]hfsplus.BuildFile{"Run.app/Contents/MacOS/Run": {Data: terminalScript, Mode: 0o755}}, false, nil)
	for _, c := range []struct {
		name, prefix, input string
		files               map[string][]byte
	}{
		{"folder", "", "", tree},
		{"zip", "", "app.zip", map[string][]byte{"app.zip": makeZip(t, zip)}},
		{"dmg", "Example.dmg/", "", map[string][]byte{"Example.dmg": dmg}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, c.files)
			r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, c.input))
			if r.Summary.Passed {
				t.Error("require: valid passed")
			}
			for _, p := range []string{"Run.app/Contents/Info.plist", "Example.app/Contents/Info.plist"} {
				if got := rulesFor(r, c.prefix+p); !has(got, "error "+string(codesign.RuleMissingInfoPlist)) {
					t.Errorf("%s: findings %q", c.prefix+p, got)
				}
			}
		})
	}
}

// TestAttackAppInputWithoutInfoPlist: the same script app given as the
// input folder, whose own name the walk's file system does not hold, is
// reported too.
func TestAttackAppInputWithoutInfoPlist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Run.app/Contents/MacOS/Run": terminalScript, "Tool/Contents/MacOS/Tool": terminalScript})
	r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "Run.app"))
	if r.Summary.Passed || !has(rulesFor(r, "Contents/Info.plist"), "error "+string(codesign.RuleMissingInfoPlist)) {
		t.Errorf("passed %v, findings %v", r.Summary.Passed, r.Findings)
	}
	// A folder without a bundle extension is no app to Finder.
	if r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "Tool")); !r.Summary.Passed {
		t.Errorf("Tool failed: %v", r.Findings)
	}
}

// TestAttackChunkedZipAppWithoutInfoPlist: a zip of more entries than
// walk.ZipChunkLen is walked a chunk of its central directory at a time,
// and only when no entry may make a bundle, which was an Info.plist alone:
// a script app without one (Run.app/Contents/MacOS/Run) in such a zip was
// walked as loose files and passed `require: valid`. A Contents/MacOS file
// leaves the archive to the whole reader, which finds the app, as in a
// small zip: the report is the whole walk's.
func TestAttackChunkedZipAppWithoutInfoPlist(t *testing.T) {
	t.Parallel()
	es := []zipEntry{{name: "Run.app/Contents/MacOS/Run", data: terminalScript}}
	for _, n := range []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt"} {
		es = append(es, zipEntry{name: n, data: []byte(n)})
	}
	p := filepath.Join(t.TempDir(), "app.zip")
	writeTree(t, filepath.Dir(p), map[string][]byte{"app.zip": makeZip(t, es)})
	r := run(t, Options{Policy: requireValid(), hooks: testHooks{zipChunkLen: 3}}, p)
	if r.Summary.Passed || !has(rulesFor(r, "Run.app/Contents/Info.plist"), "error "+string(codesign.RuleMissingInfoPlist)) {
		t.Errorf("passed %v, findings %q", r.Summary.Passed, allFindings(r))
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(run(t, Options{Policy: requireValid()}, p))
	if !bytes.Equal(a, b) {
		t.Errorf("chunked walk differs:\n%s\n%s", a, b)
	}
}
