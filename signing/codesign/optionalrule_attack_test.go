package codesign

import (
	"crypto/sha1"
	"crypto/sha256"
	"testing"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackRemovedFileUnderOptionalRule: a sealed file removed from the
// bundle passed when a rules2 rule marked its name optional
// ("^Resources/.*\.lproj/"), though its seal entry did not: Security's
// checkOptionalResource excuses a missing file by the entry's own
// "optional" flag only, which codesign copies from the rule into the
// entries it writes. Such a removal is codesign/resource-modified now; an
// entry marked optional may still be missing.
func TestAttackRemovedFileUnderOptionalRule(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	data := []byte("\"Hello\" = \"Hallo\";\n")
	s1, s2 := sha1.Sum(data), sha256.Sum256(data)
	const name = "Resources/de.lproj/Localizable.strings"
	for _, c := range []struct {
		name     string
		optional bool
		bad      bool
	}{
		{"entry not optional", false, true},
		{"entry optional", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := map[string]any{"hash": s1[:], "hash2": s2[:]}
			if c.optional {
				e["optional"] = true
			}
			seal, err := plist.MarshalIndent(map[string]any{"files": map[string]any{}, "files2": map[string]any{name: e}, "rules": map[string]any{"^Resources/": true}, "rules2": machofile.Rules2}, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			info := machofile.InfoPlist("Example", "com.example.app")
			spec := p.DeveloperIDSpec("com.example.app")
			spec.InfoPlist, spec.CodeResources = info, seal
			exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 90, CodeSize: 6000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			app := "Example.app/Contents/"
			res, err := VerifyBundle(bundleFS(map[string]machofile.BundleFile{
				app + "Info.plist":                   {Data: info},
				app + "MacOS/Example":                {Data: exe, Mode: 0o755},
				app + "_CodeSignature/CodeResources": {Data: seal},
			}), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range res.Findings {
				found = found || (f.Rule == RuleResourceModified && f.Path == app+name)
			}
			if found != c.bad || (res.Status() == signing.StatusValid) == c.bad {
				t.Errorf("status %s, removal reported %t, want %t\n%s", res.Status(), found, c.bad, dumpBundle(res))
			}
		})
	}
}
