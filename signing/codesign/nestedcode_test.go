package codesign

import (
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// nestedApp returns Example.app (hardened runtime when mainRuntime) whose
// seal holds the bundle at Contents/<nested>, signed by spec, by cdhash as
// codesign seals nested code.
func nestedApp(t *testing.T, p *machofile.PKI, nested string, spec machofile.SignSpec, mainRuntime bool) map[string]machofile.BundleFile {
	t.Helper()
	nInfo := machofile.InfoPlist("Helper", spec.Identifier)
	nSeal := machofile.CodeResources(nil, nil)
	spec.InfoPlist, spec.CodeResources = nInfo, nSeal
	nExe, nLay, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 61, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	info := machofile.InfoPlist("Example", "com.example.app")
	seal := machofile.CodeResources(nil, map[string]machofile.Nested{nested: {CDHash: nLay.CDs[0].CDHash(), Requirement: `identifier "` + spec.Identifier + `"`}})
	mspec := p.DeveloperIDSpec("com.example.app")
	if !mainRuntime {
		mspec.Flags = 0
	}
	mspec.InfoPlist, mspec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 62, CodeSize: 5000}), mspec)
	if err != nil {
		t.Fatal(err)
	}
	n := "Example.app/Contents/" + nested + "/Contents/"
	return map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
		n + "Info.plist":                                    {Data: nInfo},
		n + "MacOS/Helper":                                  {Data: nExe, Mode: 0o755},
		n + "_CodeSignature/CodeResources":                  {Data: nSeal},
	}
}

// TestAttackUnlistedBundleExtension: codesign knows nested code by its
// structure, not its extension. A bundle in a folder whose extension
// shipgate did not list (.docktileplugin, none at all) was walked as plain
// files, so it was not verified as a bundle (its main executable and its
// own seal), and the seal's cdhash entry for it was not checked.
func TestAttackUnlistedBundleExtension(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	for _, nested := range []string{"PlugIns/Dock.docktileplugin", "PlugIns/NoExtension", "Library/QuickLook/Preview.qlgenerator"} {
		t.Run(nested, func(t *testing.T) {
			files := nestedApp(t, p, nested, p.DeveloperIDSpec("com.example.helper"), true)
			res, err := VerifyBundle(bundleFS(files), "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			if s := res.Status(); s != signing.StatusValid {
				t.Errorf("status %s, want valid; rules %v\n%s", s, bundleRules(res), dumpBundle(res))
			}
			want := "Example.app/Contents/" + nested
			found := false
			for _, b := range res.Bundles {
				found = found || b == want
			}
			if !found {
				t.Errorf("bundles %v, want %s verified as a bundle", res.Bundles, want)
			}
		})
	}
}
