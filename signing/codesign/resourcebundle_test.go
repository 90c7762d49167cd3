package codesign

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// resourceBundleApp is a signed app whose Resources hold a resource bundle
// (Images.bundle: an Info.plist and images, no executable, no seal of its
// own) that the app's seal lists file by file, as codesign seals a
// directory outside the nested-code locations. extra is added to the
// bundle after signing.
func resourceBundleApp(t *testing.T, extra map[string]machofile.BundleFile) map[string]machofile.BundleFile {
	t.Helper()
	p := machofile.NewPKI()
	rb := "Resources/Images.bundle/Contents/"
	res := map[string]machofile.BundleFile{
		rb + "Info.plist":          {Data: machofile.InfoPlist("", "com.example.images")},
		rb + "Resources/icon.png":  {Data: []byte("\x89PNG\r\n\x1a\nicon")},
		"Resources/en.lproj/x.txt": {Data: []byte("hello")},
	}
	info := machofile.InfoPlist("Example", "com.example.app")
	seal := machofile.CodeResources(res, nil)
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 71, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
	}
	for n, f := range res {
		out["Example.app/Contents/"+n] = f
	}
	for n, f := range extra {
		out["Example.app/Contents/"+n] = f
	}
	return out
}

// TestResourceBundleSealedFileByFile: a resource bundle the seal lists
// file by file is valid, not a nested bundle "added after signing" whose
// sealed files were "removed".
func TestResourceBundleSealedFileByFile(t *testing.T) {
	opts := Options{Trust: testTrust(t), Time: checkTime}
	res, err := VerifyBundle(bundleFS(resourceBundleApp(t, nil)), "Example.app", opts)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Status(); s != signing.StatusValid {
		t.Errorf("status %s, want valid; rules %v\n%s", s, bundleRules(res), dumpBundle(res))
	}
}

// TestResourceBundleFileByFileChanged: walked as files, such a bundle's
// files are held to the seal: one added after signing, or changed, fails.
func TestResourceBundleFileByFileChanged(t *testing.T) {
	opts := Options{Trust: testTrust(t), Time: checkTime}
	for name, extra := range map[string]map[string]machofile.BundleFile{
		"added":   {"Resources/Images.bundle/Contents/Resources/run.sh": {Data: []byte("#!/bin/sh\n"), Mode: 0o755}},
		"changed": {"Resources/Images.bundle/Contents/Resources/icon.png": {Data: []byte("\x89PNG\r\n\x1a\nICON")}},
	} {
		res, err := VerifyBundle(bundleFS(resourceBundleApp(t, extra)), "Example.app", opts)
		if err != nil {
			t.Fatal(err)
		}
		if s := res.Status(); s == signing.StatusValid || !slices.Contains(bundleRules(res), string(RuleResourceModified)) {
			t.Errorf("%s: status %s, rules %v, want %s", name, s, bundleRules(res), RuleResourceModified)
		}
	}
}
