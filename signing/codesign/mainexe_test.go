package codesign

import (
	"bytes"
	"encoding/hex"
	"testing"
	"testing/fstest"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackInfoPlistWithoutExecutable: CFBundle finds a bundle's main
// executable by CFBundleExecutable, else the old NSExecutable key, else
// the bundle's own name (Example.app runs Contents/MacOS/Example). With
// the key removed, shipgate found no main executable, so nothing bound
// Info.plist and CodeResources: an attacker rewrote both (here: a changed
// resource, resealed) and the app passed with one warning.
func TestAttackInfoPlistWithoutExecutable(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	app := "Example.app/Contents/"
	for _, c := range []struct {
		name string
		info map[string]any
	}{
		{"no-key", map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundlePackageType": "APPL"}},
		{"empty-key", map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundleExecutable": ""}},
		{"old-key", map[string]any{"CFBundleIdentifier": "com.example.app", "NSExecutable": "Example"}},
		{"dot-slash", map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundleExecutable": "./Example"}},
		{"dot-dot-slash", map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundleExecutable": "../MacOS/Example"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := machofile.ExampleBundle(p)
			m := bundleFS(files)
			info, err := plist.MarshalIndent(c.info, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			m[app+"Info.plist"].Data = info
			// The resource changed and resealed, the main executable
			// listed so that the walk does not call it added.
			m[app+"Resources/app.txt"].Data = []byte("trojan\n")
			sealed := map[string]machofile.BundleFile{"MacOS/Example": {Data: files[app+"MacOS/Example"].Data}}
			for _, rel := range []string{"Resources/app.txt", "Resources/en.lproj/InfoPlist.strings", "Resources/addon.node", "PkgInfo"} {
				sealed[rel] = machofile.BundleFile{Data: m[app+rel].Data}
			}
			m[app+"_CodeSignature/CodeResources"] = &fstest.MapFile{Data: machofile.CodeResources(sealed, map[string]machofile.Nested{
				"Frameworks/Example Framework.framework": {CDHash: frameworkCDHash(t, p), Requirement: `identifier "com.example.framework"`},
			})}
			res, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if res.Executable != app+"MacOS/Example" {
				t.Errorf("main executable %q", res.Executable)
			}
			if res.Status() != signing.StatusInvalid {
				t.Errorf("status %s\n%s", res.Status(), dumpBundle(res))
			}
		})
	}
}

// frameworkCDHash returns the cdhash of the example framework's main
// executable, as the app's seal records it.
func frameworkCDHash(t *testing.T, p *machofile.PKI) []byte {
	t.Helper()
	res, err := VerifyBundle(bundleFS(machofile.ExampleBundle(p)), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Main && it.Bundle != "Example.app" && it.Result != nil {
			b, err := hex.DecodeString(it.Result.Slices[0].CDHashes[0])
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no framework")
	return nil
}

// TestAttackInfoPlistExecutableOutsideBundle: a CFBundleExecutable that
// climbs out of the bundle names no executable shipgate can verify; it is
// an error, not the warning of a resource-only bundle, since Info.plist
// and CodeResources are then bound by nothing.
func TestAttackInfoPlistExecutableOutsideBundle(t *testing.T) {
	p := machofile.NewPKI()
	for _, name := range []string{"../../../Example", "/Applications/Example.app/Contents/MacOS/Example", ".."} {
		t.Run(name, func(t *testing.T) {
			m := bundleFS(machofile.ExampleBundle(p))
			info, err := plist.MarshalIndent(map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundleExecutable": name}, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			m["Example.app/Contents/Info.plist"].Data = info
			res, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status() != signing.StatusInvalid {
				t.Errorf("status %s\n%s", res.Status(), dumpBundle(res))
			}
		})
	}
}

// TestAttackResourceOnlyReseal: with CFBundleExecutable removed and the
// main executable renamed, the bundle has no main executable, so its
// CodeResources is bound by nothing shipgate verifies (a detached
// signature's, which is not verified). An attacker who reseals a changed
// resource, listing the renamed executable as nested code, got a valid
// bundle with one warning.
func TestAttackResourceOnlyReseal(t *testing.T) {
	p := machofile.NewPKI()
	app := "Example.app/Contents/"
	files := machofile.ExampleBundle(p)
	m := bundleFS(files)
	info, err := plist.MarshalIndent(map[string]any{"CFBundleIdentifier": "com.example.app"}, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	m[app+"Info.plist"].Data = info
	m[app+"MacOS/Helper"] = m[app+"MacOS/Example"]
	delete(m, app+"MacOS/Example")
	delete(m, app+"Resources/addon.node") // ad hoc: the app would not be valid anyway
	m[app+"Resources/app.txt"].Data = []byte("trojan\n")
	sealed := map[string]machofile.BundleFile{}
	for _, rel := range []string{"Resources/app.txt", "Resources/en.lproj/InfoPlist.strings", "PkgInfo"} {
		sealed[rel] = machofile.BundleFile{Data: m[app+rel].Data}
	}
	exe, err := Verify(bytes.NewReader(files[app+"MacOS/Example"].Data), int64(len(files[app+"MacOS/Example"].Data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	helper, err := hex.DecodeString(exe.Slices[0].CDHashes[0])
	if err != nil {
		t.Fatal(err)
	}
	m[app+"_CodeSignature/CodeResources"] = &fstest.MapFile{Data: machofile.CodeResources(sealed, map[string]machofile.Nested{
		"Frameworks/Example Framework.framework": {CDHash: frameworkCDHash(t, p), Requirement: `identifier "com.example.framework"`},
		"MacOS/Helper":                           {CDHash: helper},
	})}
	res, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status() == signing.StatusValid {
		t.Errorf("status %s\n%s", res.Status(), dumpBundle(res))
	}
}
