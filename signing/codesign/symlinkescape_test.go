package codesign

import (
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// sealedApp returns Example.app whose CodeResources seals files (paths
// relative to Contents; symlinks sealed by their text), signed by the
// fixture PKI's Developer ID.
func sealedApp(t *testing.T, p *machofile.PKI, files map[string]machofile.BundleFile) map[string]machofile.BundleFile {
	t.Helper()
	info := machofile.InfoPlist("Example", "com.example.app")
	seal := machofile.CodeResources(files, nil)
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 53, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
	}
	for n, f := range files {
		out["Example.app/Contents/"+n] = f
	}
	return out
}

// TestAttackSealedSymlinkOutOfBundle: the seal holds a symlink's text, not
// what it reaches. A sealed link out of the bundle (../../../payload.dylib,
// /Users/Shared/payload.dylib) lets whoever controls the target change what
// the signed app loads; macOS's strict validation, which Gatekeeper
// applies, refuses such links, except absolute ones into /System/ and
// /Library/, which are reported as warnings. Links resolve as realpath
// resolves them, through other links in the bundle.
func TestAttackSealedSymlinkOutOfBundle(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	cases := []struct {
		name  string
		links map[string]string // path in Contents → target
		sev   string            // the worst finding's severity; "" for none
	}{
		{"inside", map[string]string{"Resources/link": "../Resources/a.txt"}, ""},
		{"inside-through-link", map[string]string{"Resources/cur": "sub", "Resources/link": "cur/../a.txt"}, ""},
		{"relative-escape", map[string]string{"Resources/link": "../../../payload.dylib"}, "error"},
		{"escape-through-link", map[string]string{"Resources/deep": "sub/x", "Resources/link": "deep/../../../../payload.dylib"}, "error"},
		{"to-contents-parent", map[string]string{"Resources/link": "../.."}, "error"},
		{"absolute", map[string]string{"Resources/link": "/Users/Shared/payload.dylib"}, "error"},
		{"absolute-dotdot", map[string]string{"Resources/link": "/Library/../Users/Shared/payload.dylib"}, "error"},
		{"absolute-library", map[string]string{"Resources/link": "/Library/Frameworks/Shared.framework"}, "warning"},
		{"loop", map[string]string{"Resources/a": "b", "Resources/b": "a"}, "error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]machofile.BundleFile{"Resources/a.txt": {Data: []byte("a")}, "Resources/sub/a.txt": {Data: []byte("b")}}
			for l, target := range c.links {
				files[l] = machofile.BundleFile{Link: target}
			}
			res, err := VerifyBundle(bundleFS(sealedApp(t, p, files)), "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			worst := ""
			for _, f := range res.Findings {
				if f.Rule != RuleSymlinkEscapesBundle {
					t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
				} else if worst != "error" {
					worst = f.Severity.String()
				}
			}
			if worst != c.sev {
				t.Errorf("worst %s severity %q, want %q\n%s", RuleSymlinkEscapesBundle, worst, c.sev, dumpBundle(res))
			}
			if valid := res.Status() == signing.StatusValid; valid != (c.sev != "error") {
				t.Errorf("status %s", res.Status())
			}
		})
	}
}
