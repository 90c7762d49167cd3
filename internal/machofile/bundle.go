package machofile

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sort"
	"strings"

	"howett.net/plist"
)

// BundleFile is one entry of a generated bundle: a regular file (Mode 0 or
// an executable mode) or a symlink (Link set).
type BundleFile struct {
	Data []byte
	Mode fs.FileMode
	Link string
}

// Rules2 are the CodeResources rules the generated bundles carry (a subset
// of what codesign writes for macOS bundles).
var Rules2 = map[string]any{
	"^.*":            true,
	"^Info\\.plist$": map[string]any{"omit": true, "weight": 20.0},
	"^PkgInfo$":      map[string]any{"omit": true, "weight": 20.0},
	"^[^/]+$":        map[string]any{"nested": true, "weight": 10.0},
	"^(Frameworks|SharedFrameworks|PlugIns|Plug-ins|XPCServices|Helpers|MacOS|Library/(Automator|Spotlight|LoginItems))/": map[string]any{"nested": true, "weight": 10.0},
	"^Resources/":                             map[string]any{"weight": 20.0},
	"^Resources/.*\\.lproj/":                  map[string]any{"optional": true, "weight": 1000.0},
	"^Resources/.*\\.lproj/locversion.plist$": map[string]any{"omit": true, "weight": 1100.0},
	"^(.*/)?\\.DS_Store$":                     map[string]any{"omit": true, "weight": 2000.0},
}

// Nested is a piece of nested code sealed by its cdhash.
type Nested struct {
	CDHash      []byte
	Requirement string
}

// CodeResources returns the _CodeSignature/CodeResources plist sealing
// files (paths relative to the bundle root; the main executable and
// _CodeSignature left out) and nested code (sealed by cdhash).
func CodeResources(files map[string]BundleFile, nested map[string]Nested) []byte {
	f1 := map[string]any{}
	f2 := map[string]any{}
	for name, f := range files {
		if name == "Info.plist" || name == "PkgInfo" {
			continue
		}
		if f.Link != "" {
			f2[name] = map[string]any{"symlink": f.Link}
			continue
		}
		s1 := sha1.Sum(f.Data)
		s2 := sha256.Sum256(f.Data)
		f1[name] = s1[:]
		e := map[string]any{"hash": s1[:], "hash2": s2[:]}
		if strings.Contains(name, ".lproj/") {
			e["optional"] = true
		}
		f2[name] = e
	}
	for name, n := range nested {
		f2[name] = map[string]any{"cdhash": n.CDHash, "requirement": n.Requirement}
	}
	doc := map[string]any{"files": f1, "files2": f2, "rules": map[string]any{"^.*": true}, "rules2": Rules2}
	b, err := plist.MarshalIndent(doc, plist.XMLFormat, "\t")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// InfoPlist returns a minimal Info.plist.
func InfoPlist(exe, id string) []byte {
	b, err := plist.MarshalIndent(map[string]any{
		"CFBundleExecutable": exe, "CFBundleIdentifier": id, "CFBundleName": exe,
		"CFBundlePackageType": "APPL", "CFBundleShortVersionString": "1.0.0",
	}, plist.XMLFormat, "\t")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

func requirement(id string) string {
	return `identifier "` + id + `" and anchor apple generic and certificate leaf[subject.OU] = ` + TeamID
}

// ExampleBundle returns the files of Example.app, paths relative to the
// directory holding it: a Developer ID main executable binding Info.plist
// and CodeResources; resources, one of them an ad-hoc Mach-O; and a
// versioned framework with its own signature and a nested Developer ID
// dylib (Libraries/libffmpeg.dylib, where 3CX's trojan sat).
func ExampleBundle(p *PKI) map[string]BundleFile {
	out := map[string]BundleFile{}
	sign := func(spec SignSpec, seed uint64, cpu uint32) []byte {
		b, _, err := Sign(Build(Spec{CPU: cpu, Seed: seed, CodeSize: 6000}), spec)
		if err != nil {
			panic(err)
		}
		return b
	}
	// The framework.
	fw := "Example.app/Contents/Frameworks/Example Framework.framework"
	fwRoot := fw + "/Versions/A"
	lib, libLay := mustSign(Build(Spec{Seed: 21, CodeSize: 6000}), p.DeveloperIDSpec("libffmpeg"))
	fwInfo := InfoPlist("Example Framework", "com.example.framework")
	fwFiles := map[string]BundleFile{
		"Resources/Info.plist": {Data: fwInfo},
	}
	fwNested := map[string]Nested{"Libraries/libffmpeg.dylib": {CDHash: libLay.CDs[0].CDHash(), Requirement: requirement("libffmpeg")}}
	fwSeal := CodeResources(fwFiles, fwNested)
	fwSpec := p.DeveloperIDSpec("com.example.framework")
	fwSpec.InfoPlist, fwSpec.CodeResources, fwSpec.ExecSegFlags = fwInfo, fwSeal, 0
	fwBin, fwLay := mustSign(Build(Spec{Seed: 22, CodeSize: 6000}), fwSpec)
	out[fwRoot+"/Example Framework"] = BundleFile{Data: fwBin, Mode: 0o755}
	out[fwRoot+"/Resources/Info.plist"] = BundleFile{Data: fwInfo}
	out[fwRoot+"/Libraries/libffmpeg.dylib"] = BundleFile{Data: lib, Mode: 0o755}
	out[fwRoot+"/_CodeSignature/CodeResources"] = BundleFile{Data: fwSeal}
	out[fw+"/Versions/Current"] = BundleFile{Link: "A"}
	out[fw+"/Example Framework"] = BundleFile{Link: "Versions/Current/Example Framework"}
	out[fw+"/Resources"] = BundleFile{Link: "Versions/Current/Resources"}

	// The app.
	addon, _ := mustSign(Build(Spec{Seed: 23, CodeSize: 5000}), SignSpec{Identifier: "addon", Flags: FlagAdhoc | FlagLinkerSigned})
	files := map[string]BundleFile{
		"Resources/app.txt":                    {Data: []byte("Example resource sealed by CodeResources.\n")},
		"Resources/en.lproj/InfoPlist.strings": {Data: []byte("\"CFBundleName\" = \"Example\";\n")},
		"Resources/addon.node":                 {Data: addon, Mode: 0o755},
		"PkgInfo":                              {Data: []byte("APPL????")},
	}
	nested := map[string]Nested{"Frameworks/Example Framework.framework": {CDHash: fwLay.CDs[0].CDHash(), Requirement: requirement("com.example.framework")}}
	info := InfoPlist("Example", "com.example.app")
	seal := CodeResources(files, nested)
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe := sign(spec, 24, CPUARM64)
	for name, f := range files {
		out["Example.app/Contents/"+name] = f
	}
	out["Example.app/Contents/Info.plist"] = BundleFile{Data: info}
	out["Example.app/Contents/MacOS/Example"] = BundleFile{Data: exe, Mode: 0o755}
	out["Example.app/Contents/_CodeSignature/CodeResources"] = BundleFile{Data: seal}
	return out
}

func mustSign(b []byte, s SignSpec) ([]byte, *Layout) {
	out, lay, err := Sign(b, s)
	if err != nil {
		panic(err)
	}
	return out, lay
}

// SortedPaths returns the paths of a bundle in order.
func SortedPaths(files map[string]BundleFile) []string {
	var out []string
	for p := range files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// CDHashHex returns the hex cdhash of a layout's primary CodeDirectory.
func CDHashHex(l *Layout) string { return hex.EncodeToString(l.CDs[0].CDHash()) }
