package codesign

import (
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackFrameworkOtherVersion: a framework version beside the current
// one that carries a _CodeSignature/CodeResources of its own was passed
// over with a warning, unread, so a file named that way hid anything put
// beside it (an unsigned dylib here). macOS validates every version of a
// nested framework against the framework's requirement; shipgate verifies
// each as a bundle and requires its main executable to carry the current
// version's identifier and team.
func TestAttackFrameworkOtherVersion(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	fw := "Example.app/Contents/Frameworks/Example Framework.framework"
	unsigned := machofile.Build(machofile.Spec{Seed: 61, CodeSize: 5000})
	// version signs a framework version B whose main executable is signed
	// with spec.
	version := func(m fstest.MapFS, spec machofile.SignSpec) {
		info := machofile.InfoPlist("Example Framework", "com.example.framework")
		seal := machofile.CodeResources(map[string]machofile.BundleFile{"Resources/Info.plist": {Data: info}}, nil)
		spec.InfoPlist, spec.CodeResources, spec.ExecSegFlags = info, seal, 0
		exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 62, CodeSize: 5000}), spec)
		if err != nil {
			t.Fatal(err)
		}
		m[fw+"/Versions/B/Resources/Info.plist"] = &fstest.MapFile{Data: info}
		m[fw+"/Versions/B/_CodeSignature/CodeResources"] = &fstest.MapFile{Data: seal}
		m[fw+"/Versions/B/Example Framework"] = &fstest.MapFile{Data: exe, Mode: 0o755}
	}
	evil := p.DeveloperIDSpec("com.example.framework")
	evil.TeamID, evil.CMS = "EVIL000000", evilSigner(p).CMS
	cases := []struct {
		name  string
		add   func(m fstest.MapFS)
		valid bool // as valid as the intact app
	}{
		{"old-version-same-team", func(m fstest.MapFS) { version(m, p.DeveloperIDSpec("com.example.framework")) }, true},
		{"fake-seal-hides-dylib", func(m fstest.MapFS) {
			m[fw+"/Versions/B/_CodeSignature/CodeResources"] = &fstest.MapFile{Data: machofile.CodeResources(nil, nil)}
			m[fw+"/Versions/B/Resources/Info.plist"] = &fstest.MapFile{Data: machofile.InfoPlist("Example Framework", "com.example.framework")}
			m[fw+"/Versions/B/payload.dylib"] = &fstest.MapFile{Data: unsigned, Mode: 0o755}
		}, false},
		{"other-team-version", func(m fstest.MapFS) { version(m, evil) }, false},
		{"file-added-to-old-version", func(m fstest.MapFS) {
			version(m, p.DeveloperIDSpec("com.example.framework"))
			m[fw+"/Versions/B/Resources/payload.js"] = &fstest.MapFile{Data: []byte("stage2")}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := bundleFS(machofile.ExampleBundle(p))
			c.add(m)
			res, err := VerifyBundle(m, "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			// Example.app holds an ad-hoc Mach-O, so intact it is adhoc.
			want := signing.StatusAdhoc
			if !c.valid {
				want = signing.StatusInvalid
			}
			if got := res.Status(); got != want {
				t.Errorf("status %s, want %s\n%s", got, want, dumpBundle(res))
			}
		})
	}
}
