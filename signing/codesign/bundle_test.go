package codesign

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
)

func bundleFS(files map[string]machofile.BundleFile) fstest.MapFS {
	m := fstest.MapFS{}
	for p, f := range files {
		if f.Link != "" {
			m[p] = &fstest.MapFile{Data: []byte(f.Link), Mode: fs.ModeSymlink}
			continue
		}
		m[p] = &fstest.MapFile{Data: append([]byte(nil), f.Data...), Mode: f.Mode}
	}
	return m
}

func bundleRules(b *BundleResult) []string {
	seen := map[string]bool{}
	for _, f := range b.Findings {
		seen[string(f.Rule)] = true
	}
	for _, it := range b.Items {
		if it.Result != nil {
			for _, f := range it.Result.Findings {
				seen[string(f.Rule)] = true
			}
		}
	}
	var out []string
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func dumpBundle(b *BundleResult) string {
	var s strings.Builder
	for _, it := range b.Items {
		s.WriteString("item " + it.Path + " " + it.Err + "\n")
		if it.Result != nil {
			s.WriteString(dump(it.Result))
		}
	}
	for _, f := range b.Findings {
		s.WriteString("bundle finding " + string(f.Rule) + " " + f.Path + ": " + f.Message + "\n")
	}
	return s.String()
}

func TestBundle(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	base := machofile.ExampleBundle(p)
	opts := Options{Trust: testTrust(t), Time: checkTime}
	app := "Example.app"
	fw := app + "/Contents/Frameworks/Example Framework.framework"
	cases := []struct {
		name   string
		mutate func(m fstest.MapFS)
		rules  []string
	}{
		{"intact", func(fstest.MapFS) {}, []string{"codesign/adhoc"}},
		{"resource-edited", func(m fstest.MapFS) { m[app+"/Contents/Resources/app.txt"].Data[0] ^= 1 }, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"resource-added", func(m fstest.MapFS) { m[app+"/Contents/Resources/extra.js"] = &fstest.MapFile{Data: []byte("x")} }, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"resource-removed", func(m fstest.MapFS) { delete(m, app+"/Contents/Resources/app.txt") }, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"optional-lproj-removed", func(m fstest.MapFS) { delete(m, app+"/Contents/Resources/en.lproj/InfoPlist.strings") }, []string{"codesign/adhoc"}},
		{"ds-store-omitted", func(m fstest.MapFS) { m[app+"/Contents/Resources/.DS_Store"] = &fstest.MapFile{Data: []byte("x")} }, []string{"codesign/adhoc"}},
		{"info-plist-edited", func(m fstest.MapFS) { m[app+"/Contents/Info.plist"].Data[60] ^= 1 }, []string{"codesign/adhoc", "codesign/special-slot-mismatch"}},
		{"code-resources-edited", func(m fstest.MapFS) {
			d := m[app+"/Contents/_CodeSignature/CodeResources"].Data
			i := strings.Index(string(d), "<key>hash2</key>")
			d[i+len("<key>hash2</key>")+20] ^= 1
		}, []string{"codesign/adhoc", "codesign/resource-modified", "codesign/special-slot-mismatch"}},
		{"nested-dylib-replaced", func(m fstest.MapFS) {
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 99, CodeSize: 6000}), p.DeveloperIDSpec("libffmpeg"))
			if err != nil {
				t.Fatal(err)
			}
			m[fw+"/Versions/A/Libraries/libffmpeg.dylib"].Data = b
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"nested-dylib-page-flip", func(m fstest.MapFS) { m[fw+"/Versions/A/Libraries/libffmpeg.dylib"].Data[0x500] ^= 1 }, []string{"codesign/adhoc", "codesign/page-hash-mismatch"}},
		{"main-exe-symlink", func(m fstest.MapFS) {
			m[app+"/Contents/MacOS/Example"] = &fstest.MapFile{Data: []byte("../Resources/addon.node"), Mode: fs.ModeSymlink}
		}, []string{"codesign/adhoc", "codesign/malformed", "codesign/resource-modified"}},
		{"symlink-retargeted", func(m fstest.MapFS) { m[fw+"/Versions/Current"].Data = []byte("B") }, nil},
		{"dylib-in-code-signature-dir", func(m fstest.MapFS) {
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 98, CodeSize: 6000}), p.DeveloperIDSpec("libpayload"))
			if err != nil {
				t.Fatal(err)
			}
			m[app+"/Contents/_CodeSignature/libpayload.dylib"] = &fstest.MapFile{Data: b, Mode: 0o755}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"detached-signature-name-beside-embedded", func(m fstest.MapFS) {
			m[app+"/Contents/_CodeSignature/CodeSignature"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"subdirectory-in-code-signature-dir", func(m fstest.MapFS) {
			m[fw+"/Versions/A/_CodeSignature/x/y.js"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"file-in-app-root", func(m fstest.MapFS) {
			m[app+"/payload.dylib"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"file-in-framework-root", func(m fstest.MapFS) {
			m[fw+"/payload.js"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"file-in-other-framework-version", func(m fstest.MapFS) {
			m[fw+"/Versions/B/payload.js"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"signed-other-framework-version", func(m fstest.MapFS) {
			m[fw+"/Versions/B/_CodeSignature/CodeResources"] = &fstest.MapFile{Data: machofile.CodeResources(nil, nil)}
			m[fw+"/Versions/B/Resources/Info.plist"] = &fstest.MapFile{Data: []byte("old")}
		}, []string{"codesign/adhoc", "codesign/malformed", "codesign/resource-modified", "codesign/unsigned"}},
		{"framework-link-out-of-versions", func(m fstest.MapFS) {
			m[fw+"/Resources"].Data = []byte("../../../Resources")
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"stapled-notarization-ticket", func(m fstest.MapFS) {
			m[app+"/Contents/CodeResources"] = &fstest.MapFile{Data: ticketfile.Ticket(bytes.Repeat([]byte{7}, 20))}
		}, []string{"codesign/adhoc", "codesign/notarization-ticket-mismatch", "codesign/notarization-ticket-unverified"}},
		{"zeros-as-stapled-notarization-ticket", func(m fstest.MapFS) {
			m[app+"/Contents/CodeResources"] = &fstest.MapFile{Data: make([]byte, 9000)}
		}, []string{"codesign/adhoc", "codesign/notarization-ticket-malformed"}},
		{"oversized-stapled-notarization-ticket", func(m fstest.MapFS) {
			m[app+"/Contents/CodeResources"] = &fstest.MapFile{Data: make([]byte, 64<<10+1)}
		}, []string{"codesign/adhoc", "codesign/notarization-ticket-unverified"}},
		{"ticket-name-in-framework-version", func(m fstest.MapFS) {
			m[fw+"/Versions/A/CodeResources"] = &fstest.MapFile{Data: []byte("stage2")}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
		{"symlink-in-code-signature-dir", func(m fstest.MapFS) {
			m[app+"/Contents/_CodeSignature/CodeRequirements"] = &fstest.MapFile{Data: []byte("../Resources/app.txt"), Mode: fs.ModeSymlink}
		}, []string{"codesign/adhoc", "codesign/resource-modified"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := bundleFS(base)
			c.mutate(m)
			if c.rules == nil {
				if IsBundle(m, fw) {
					t.Fatalf("broken framework still a bundle")
				}
				return
			}
			res, err := VerifyBundle(m, app, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := bundleRules(res); strings.Join(got, ",") != strings.Join(c.rules, ",") {
				t.Errorf("rules %v, want %v\n%s", got, c.rules, dumpBundle(res))
			}
		})
	}
}

// TestStapledTicketSeverity: a Contents/CodeResources that parses as a
// ticket, up to 64 KiB, is a note that leaves the bundle's verdict alone; a
// larger one is unsealed data.
func TestStapledTicketSeverity(t *testing.T) {
	t.Parallel()
	base := machofile.ExampleBundle(machofile.NewPKI())
	opts := Options{Trust: testTrust(t), Time: checkTime}
	chain := ticketfile.Chain(ticketfile.Leaf.Cert, ticketfile.CA.Cert)
	full := ticketfile.Raw(chain, make([]byte, 64<<10-16-len(chain)))
	for _, c := range []struct {
		data []byte
		sev  signing.Severity
	}{{ticketfile.Ticket(bytes.Repeat([]byte{7}, 20)), signing.SeverityNote}, {full, signing.SeverityNote}, {make([]byte, 64<<10+1), signing.SeverityError}} {
		c := struct {
			size int
			data []byte
			sev  signing.Severity
		}{len(c.data), c.data, c.sev}
		m := bundleFS(base)
		m["Example.app/Contents/CodeResources"] = &fstest.MapFile{Data: c.data}
		res, err := VerifyBundle(m, "Example.app", opts)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range res.Findings {
			if f.Rule == RuleNotarizationTicketUnverified {
				n++
				if f.Severity != c.sev || f.Path != "Example.app/Contents/CodeResources" {
					t.Errorf("size %d: %s %s, want severity %s", c.size, f.Severity, f.Path, c.sev)
				}
			}
		}
		if n != 1 {
			t.Errorf("size %d: %d ticket findings, want 1", c.size, n)
		}
		intact := bundleFS(base)
		ref, _ := VerifyBundle(intact, "Example.app", opts)
		if c.sev == signing.SeverityNote && res.Status() != ref.Status() {
			t.Errorf("size %d: status %s, intact bundle %s", c.size, res.Status(), ref.Status())
		}
		if c.sev == signing.SeverityError && res.Status() != signing.StatusInvalid {
			t.Errorf("size %d: status %s, want invalid", c.size, res.Status())
		}
	}
}

func TestBundleItems(t *testing.T) {
	t.Parallel()
	m := bundleFS(machofile.ExampleBundle(machofile.NewPKI()))
	res, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(dumpBundle(res))
	var got []string
	for _, it := range res.Items {
		got = append(got, it.Path+"="+it.Result.Status().String())
	}
	want := []string{
		"Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Example Framework=valid",
		"Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib=valid",
		"Example.app/Contents/MacOS/Example=valid",
		"Example.app/Contents/Resources/addon.node=adhoc",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !IsBundle(m, "Example.app") || !IsBundle(m, "Example.app/Contents/Frameworks/Example Framework.framework") || IsBundle(m, "Example.app/Contents") {
		t.Error("IsBundle")
	}
}

func TestBundleBrokenMain(t *testing.T) {
	t.Parallel()
	m := bundleFS(machofile.ExampleBundle(machofile.NewPKI()))
	m["Example.app/Contents/MacOS/Example"] = &fstest.MapFile{Data: []byte("#!/bin/sh\necho not mach-o\n"), Mode: 0o755}
	res, err := VerifyBundle(m, "Example.app", Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || (f.Rule == RuleMalformed && f.Path == "Example.app/Contents/MacOS/Example")
	}
	if !found || res.Status() != signing.StatusMalformed {
		t.Fatalf("status %s\n%s", res.Status(), dumpBundle(res))
	}
	if _, err := VerifyBundle(m, "Example.app/Contents/Resources", Options{}); err == nil {
		t.Fatal("VerifyBundle accepted a directory that is not a bundle")
	}
	if _, err := VerifyBundle(m, "../x.app", Options{}); err == nil {
		t.Fatal("VerifyBundle accepted a path out of the fs")
	}
}

// TestBundleDetachedSignatureFiles checks a bundle without a main
// executable: the files of its detached signature are reported as not
// verified (warnings), and anything else in _CodeSignature as unsealed.
func TestBundleDetachedSignatureFiles(t *testing.T) {
	t.Parallel()
	info := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.example.res</string></dict></plist>
`)
	files := map[string]machofile.BundleFile{"Resources/a.txt": {Data: []byte("a")}}
	m := fstest.MapFS{
		"Res.bundle/Contents/Info.plist":                      {Data: info},
		"Res.bundle/Contents/Resources/a.txt":                 {Data: []byte("a")},
		"Res.bundle/Contents/_CodeSignature/CodeResources":    {Data: machofile.CodeResources(files, nil)},
		"Res.bundle/Contents/_CodeSignature/CodeDirectory":    {Data: []byte{0xfa, 0xde, 0x0c, 0x02}},
		"Res.bundle/Contents/_CodeSignature/CodeRequirements": {Data: machofile.EmptyRequirements},
		"Res.bundle/Contents/_CodeSignature/CodeSignature":    {Data: []byte{0x30}},
	}
	for _, c := range []struct {
		name  string
		extra string
		want  []string
		sev   signing.Severity
	}{
		{"detached files only", "", []string{"codesign/unsigned"}, signing.SeverityWarning},
		{"extra file", "Res.bundle/Contents/_CodeSignature/payload.dylib", []string{"codesign/resource-modified", "codesign/unsigned"}, signing.SeverityError},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range m {
				fsys[k] = v
			}
			if c.extra != "" {
				fsys[c.extra] = &fstest.MapFile{Data: []byte("stage2")}
			}
			res, err := VerifyBundle(fsys, "Res.bundle", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := bundleRules(res); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("rules %v, want %v\n%s", got, c.want, dumpBundle(res))
			}
			worst := signing.SeverityWarning
			n := 0
			for _, f := range res.Findings {
				if strings.Contains(f.Path, "_CodeSignature/Code") && f.Path != "Res.bundle/Contents/_CodeSignature/CodeResources" {
					n++
				}
				if f.Severity == signing.SeverityError {
					worst = signing.SeverityError
				}
			}
			if n != 3 {
				t.Errorf("%d findings name a detached signature file, want 3\n%s", n, dumpBundle(res))
			}
			if worst != c.sev {
				t.Errorf("worst severity %s, want %s", worst, c.sev)
			}
		})
	}
}

// TestBundleSealRulesCapped refuses a CodeResources with more rules2
// patterns than the cap: every file is matched against every rule.
func TestBundleSealRulesCapped(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int
		want bool // the cap is reported
	}{{maxSealRules, false}, {maxSealRules + 1, true}} {
		var b strings.Builder
		b.WriteString(`<plist version="1.0"><dict><key>files2</key><dict/><key>rules2</key><dict>`)
		for i := 0; i < c.n; i++ {
			fmt.Fprintf(&b, "<key>^r%d/</key><true/>", i)
		}
		b.WriteString(`</dict></dict></plist>`)
		_, err := parseSeal([]byte(b.String()))
		if got := err != nil && strings.Contains(err.Error(), "over the cap"); got != c.want {
			t.Errorf("%d rules: err %v, want cap reported %v", c.n, err, c.want)
		}
	}
}
