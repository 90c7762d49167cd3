package codesign

import (
	"strings"
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

// entsXML is an XML entitlements plist granting each key.
func entsXML(keys ...string) []byte {
	s := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`
	for _, k := range keys {
		s += "\t<key>" + k + "</key>\n\t<true/>\n"
	}
	return []byte(s + "</dict>\n</plist>\n")
}

// TestAttackNestedHelperWeakerRuntime: the main executable's hardened
// runtime says nothing about a helper beside it. A nested helper signed
// without CS_RUNTIME, or entitled to disable library validation (or to
// honour DYLD_* variables, or to map unsigned executable memory), loads an
// injected dylib, yet the bundle passed with no finding.
func TestAttackNestedHelperWeakerRuntime(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	cases := []struct {
		name        string
		edit        func(*machofile.SignSpec)
		mainRuntime bool
		want        string // a substring of the finding; "" for none
	}{
		{"hardened", func(*machofile.SignSpec) {}, true, ""},
		{"no-runtime", func(s *machofile.SignSpec) { s.Flags = 0 }, true, "hardened runtime"},
		{"disable-library-validation", func(s *machofile.SignSpec) {
			s.Entitlements, s.DEREntitlements = entsXML("com.apple.security.cs.disable-library-validation"), nil
		}, true, "com.apple.security.cs.disable-library-validation"},
		{"dyld-env", func(s *machofile.SignSpec) {
			s.Entitlements, s.DEREntitlements = entsXML("com.apple.security.cs.allow-dyld-environment-variables", "com.apple.security.cs.allow-unsigned-executable-memory"), nil
		}, true, "com.apple.security.cs.allow-dyld-environment-variables, com.apple.security.cs.allow-unsigned-executable-memory"},
		{"get-task-allow", func(s *machofile.SignSpec) {
			s.Entitlements, s.DEREntitlements = entsXML("com.apple.security.get-task-allow"), nil
		}, true, "com.apple.security.get-task-allow"},
		{"main-not-hardened", func(s *machofile.SignSpec) { s.Flags = 0 }, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := p.DeveloperIDSpec("com.example.helper")
			c.edit(&spec)
			res, err := VerifyBundle(bundleFS(nestedApp(t, p, "Helpers/Helper.app", spec, c.mainRuntime)), "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Rule == RuleNestedRuntimeWeaker {
					got = append(got, f.Message)
					if f.Severity != signing.SeverityWarning || !strings.Contains(f.Path, "Helpers/Helper.app") {
						t.Errorf("finding %+v, want a warning naming the helper", f)
					}
				}
			}
			switch {
			case c.want == "" && len(got) > 0:
				t.Errorf("findings %q, want none", got)
			case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
				t.Errorf("findings %q, want one naming %q; rules %v", got, c.want, bundleRules(res))
			}
		})
	}
}
