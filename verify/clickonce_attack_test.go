package verify

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

// clickOnceHash is the hash element ClickOnce's manifests give a file of
// bytes b, by SHA-256 or SHA-1.
func clickOnceHash(b []byte, useSHA1 bool) string {
	alg, sum := "http://www.w3.org/2000/09/xmldsig#sha256", sha256.Sum256(b)
	d := sum[:]
	if useSHA1 {
		s := sha1.Sum(b)
		alg, d = "http://www.w3.org/2000/09/xmldsig#sha1", s[:]
	}
	return `<hash><dsig:Transforms><dsig:Transform Algorithm="urn:schemas-microsoft-com:HashTransforms.Identity" /></dsig:Transforms>` +
		`<dsig:DigestMethod Algorithm="` + alg + `" /><dsig:DigestValue>` + base64.StdEncoding.EncodeToString(d) + `</dsig:DigestValue></hash>`
}

// clickOnceTree is a ClickOnce publish as Visual Studio lays it out for
// a CD or file share (no update location): Acme.application, and the
// application manifest and its files, extensions mapped to .deploy, in
// "Application Files/Acme_1_0_0_0". provider, when set, is the
// deployment's deploymentProvider codebase; appRef the application
// manifest's codebase in the deployment manifest.
func clickOnceTree(provider string, edit func(files map[string][]byte)) map[string][]byte {
	const dir = "Application Files/Acme_1_0_0_0/"
	exe := []byte("the application's executable, as far as this test goes\n")
	config := []byte(`<?xml version="1.0" encoding="utf-8"?><configuration />`)
	dll := []byte("a library the application loads\n")
	app := `<?xml version="1.0" encoding="utf-8"?>
<asmv1:assembly xsi:schemaLocation="urn:schemas-microsoft-com:asm.v1 assembly.adaptive.xsd" manifestVersion="1.0" xmlns:asmv1="urn:schemas-microsoft-com:asm.v1" xmlns="urn:schemas-microsoft-com:asm.v2" xmlns:asmv2="urn:schemas-microsoft-com:asm.v2" xmlns:xrml="urn:mpeg:mpeg21:2003:01-REL-R-NS" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3" xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" xmlns:co.v1="urn:schemas-microsoft-com:clickonce.v1" xmlns:co.v2="urn:schemas-microsoft-com:clickonce.v2">
  <asmv1:assemblyIdentity name="Acme.exe" version="1.0.0.0" publicKeyToken="0123456789abcdef" language="neutral" processorArchitecture="msil" type="win32" />
  <application />
  <entryPoint>
    <assemblyIdentity name="Acme" version="1.0.0.0" language="neutral" processorArchitecture="msil" />
    <commandLine file="Acme.exe" parameters="" />
  </entryPoint>
  <dependency>
    <dependentOS><osVersionInfo><os majorVersion="5" minorVersion="1" buildNumber="2600" servicePackMajor="0" /></osVersionInfo></dependentOS>
  </dependency>
  <dependency>
    <dependentAssembly dependencyType="preRequisite" allowDelayedBinding="true">
      <assemblyIdentity name="Microsoft.Windows.CommonLanguageRuntime" version="4.0.30319.0" />
    </dependentAssembly>
  </dependency>
  <dependency>
    <dependentAssembly dependencyType="install" allowDelayedBinding="true" codebase="Acme.exe" size="` + fmt.Sprint(len(exe)) + `">
      <assemblyIdentity name="Acme" version="1.0.0.0" language="neutral" processorArchitecture="msil" />
      ` + clickOnceHash(exe, false) + `
    </dependentAssembly>
  </dependency>
  <dependency>
    <dependentAssembly dependencyType="install" allowDelayedBinding="true" codebase="Lib\Acme.Core.dll" size="` + fmt.Sprint(len(dll)) + `">
      <assemblyIdentity name="Acme.Core" version="1.0.0.0" language="neutral" processorArchitecture="msil" />
      ` + clickOnceHash(dll, true) + `
    </dependentAssembly>
  </dependency>
  <file name="Acme.exe.config" size="` + fmt.Sprint(len(config)) + `">
    ` + clickOnceHash(config, false) + `
  </file>
</asmv1:assembly>`
	deployment := ""
	if provider != "" {
		deployment = `<deploymentProvider codebase="` + provider + `" />`
	}
	appRef := "Application Files\\Acme_1_0_0_0\\Acme.exe.manifest"
	dep := `<?xml version="1.0" encoding="utf-8"?>
<asmv1:assembly xsi:schemaLocation="urn:schemas-microsoft-com:asm.v1 assembly.adaptive.xsd" manifestVersion="1.0" xmlns:asmv1="urn:schemas-microsoft-com:asm.v1" xmlns="urn:schemas-microsoft-com:asm.v2" xmlns:asmv2="urn:schemas-microsoft-com:asm.v2" xmlns:xrml="urn:mpeg:mpeg21:2003:01-REL-R-NS" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3" xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" xmlns:co.v1="urn:schemas-microsoft-com:clickonce.v1" xmlns:co.v2="urn:schemas-microsoft-com:clickonce.v2">
  <assemblyIdentity name="Acme.application" version="1.0.0.0" publicKeyToken="0123456789abcdef" language="neutral" processorArchitecture="msil" xmlns="urn:schemas-microsoft-com:asm.v1" />
  <description asmv2:publisher="Acme" asmv2:product="Acme" xmlns="urn:schemas-microsoft-com:asm.v1" />
  <deployment install="true" mapFileExtensions="true">` + deployment + `</deployment>
  <compatibleFrameworks xmlns="urn:schemas-microsoft-com:clickonce.v2">
    <framework targetVersion="4.8" profile="Full" supportedRuntime="4.0.30319" />
  </compatibleFrameworks>
  <dependency>
    <dependentAssembly dependencyType="install" codebase="` + appRef + `" size="` + fmt.Sprint(len(app)) + `">
      <assemblyIdentity name="Acme.exe" version="1.0.0.0" publicKeyToken="0123456789abcdef" language="neutral" processorArchitecture="msil" type="win32" />
      ` + clickOnceHash([]byte(app), false) + `
    </dependentAssembly>
  </dependency>
</asmv1:assembly>`
	files := map[string][]byte{
		"Acme.application":               []byte(dep),
		dir + "Acme.exe.manifest":        []byte(app),
		dir + "Acme.exe.deploy":          exe,
		dir + "Acme.exe.config.deploy":   config,
		dir + "Lib/Acme.Core.dll.deploy": dll,
		"tools/helper.exe.manifest":      []byte(sideBySideManifest),
		"tools/Microsoft.VC90.CRT.manifest": []byte(strings.Replace(sideBySideManifest, `<file name="helper.dll" hashalg="SHA1" />`,
			`<file name="msvcr90.dll" hashalg="SHA1" hash="0000000000000000000000000000000000000000">`+clickOnceHash([]byte("not the DLL"), true)+`</file>`, 1)),
	}
	if edit != nil {
		edit(files)
	}
	return files
}

// sideBySideManifest is a Windows side-by-side manifest, which is no
// ClickOnce manifest; Microsoft.VC90.CRT.manifest, of the same shape,
// gives its files (not in the release here) asm.v2 hashes.
const sideBySideManifest = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" xmlns:asmv2="urn:schemas-microsoft-com:asm.v2" xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="Acme.Helper" version="1.0.0.0" processorArchitecture="amd64" />
  <file name="helper.dll" hashalg="SHA1" />
  <dependency><dependentAssembly><assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0" processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*" /></dependentAssembly></dependency>
</assembly>`

// TestClickOnceGenuine: a ClickOnce publish whose manifests name only
// the files beside them, of their sizes and hashes (SHA-256 and SHA-1),
// passes, and side-by-side manifests are left alone.
func TestClickOnceGenuine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, clickOnceTree("", nil))
	r := run(t, Options{}, dir)
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Rule), "clickonce/") {
			t.Errorf("%s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
		}
	}
	if !r.Summary.Passed {
		t.Errorf("the gate failed: %v", r.Findings)
	}
}

// TestAttackClickOnceDownload: a ClickOnce deployment manifest is all a
// release needs to install an application: ClickOnce fetches the
// deployment from its deploymentProvider, and the application manifest
// and assemblies from their codebases. The gate passed such a release, a
// text file it had nothing to say about, though what it installs was
// never in it. A provider URL, a codebase URL or UNC path, a file the
// release does not hold, and a manifest shipgate cannot read (in
// UTF-16 it reads all the same) are clickonce/download errors now.
func TestAttackClickOnceDownload(t *testing.T) {
	t.Parallel()
	const app = "Application Files/Acme_1_0_0_0/Acme.exe.manifest"
	wide := func(s string) []byte {
		out := []byte{0xff, 0xfe}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	cases := map[string]struct {
		provider string
		edit     func(map[string][]byte)
		at       string
	}{
		"provider": {provider: "https://example.com/acme/Acme.application", at: "Acme.application"},
		"provider-utf16": {provider: "https://example.com/acme/Acme.application", at: "Acme.application", edit: func(f map[string][]byte) {
			f["Acme.application"] = wide(strings.Replace(string(f["Acme.application"]), `encoding="utf-8"`, `encoding="utf-16"`, 1))
		}},
		"codebase-url": {at: "Acme.application", edit: func(f map[string][]byte) {
			f["Acme.application"] = []byte(strings.Replace(string(f["Acme.application"]), `codebase="Application Files\`, `codebase="http://evil.example/`, 1))
		}},
		"codebase-unc": {at: app, edit: func(f map[string][]byte) {
			f[app] = []byte(strings.Replace(string(f[app]), `codebase="Acme.exe"`, `codebase="\\evil.example\share\Acme.exe"`, 1))
		}},
		"missing": {at: app, edit: func(f map[string][]byte) {
			delete(f, "Application Files/Acme_1_0_0_0/Lib/Acme.Core.dll.deploy")
		}},
		"escape": {at: "Acme.application", edit: func(f map[string][]byte) {
			f["Acme.application"] = []byte(strings.Replace(string(f["Acme.application"]), `codebase="Application Files\`, `codebase="..\Application Files\`, 1))
		}},
		"unparsed": {at: "Acme.application", edit: func(f map[string][]byte) {
			f["Acme.application"] = []byte(strings.Replace(string(f["Acme.application"]), `</asmv1:assembly>`, `<`, 1))
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, clickOnceTree(tc.provider, tc.edit))
			mustFail(t, Options{}, tc.at, RuleClickOnceDownload, dir)
		})
	}
}

// TestAttackClickOnceHashMismatch: the gate checked the files beside a
// ClickOnce manifest, but ClickOnce installs only files of the sizes and
// hashes the manifests list: a release whose files are not those (an
// assembly, the configuration, the application manifest itself; by
// SHA-256 or SHA-1) installs what the gate never saw, or nothing. Each
// is a clickonce/hash-mismatch error now.
func TestAttackClickOnceHashMismatch(t *testing.T) {
	t.Parallel()
	const dir = "Application Files/Acme_1_0_0_0/"
	flip := func(p string) func(map[string][]byte) {
		return func(f map[string][]byte) {
			b := []byte(string(f[p]))
			b[len(b)/2] ^= 1
			f[p] = b
		}
	}
	cases := map[string]struct {
		edit func(map[string][]byte)
		at   string
	}{
		"sha256":   {at: dir + "Acme.exe.manifest", edit: flip(dir + "Acme.exe.deploy")},
		"sha1":     {at: dir + "Acme.exe.manifest", edit: flip(dir + "Lib/Acme.Core.dll.deploy")},
		"file":     {at: dir + "Acme.exe.manifest", edit: flip(dir + "Acme.exe.config.deploy")},
		"manifest": {at: "Acme.application", edit: flip(dir + "Acme.exe.manifest")},
		"size": {at: dir + "Acme.exe.manifest", edit: func(f map[string][]byte) {
			f[dir+"Acme.exe.deploy"] = append(f[dir+"Acme.exe.deploy"], '\n')
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeTree(t, root, clickOnceTree("", tc.edit))
			mustFail(t, Options{}, tc.at, RuleClickOnceHashMismatch, root)
		})
	}
}

// TestClickOnceNameCase: a manifest's codebase names its file whatever
// the case, as a Windows web server or file share finds it, and with
// its URL's escapes ("%20").
func TestClickOnceNameCase(t *testing.T) {
	t.Parallel()
	for name, cb := range map[string]string{"case": `application files\ACME_1_0_0_0\acme.EXE.manifest`, "escaped": `Application%20Files/Acme_1_0_0_0/Acme.exe.manifest`} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, clickOnceTree("", func(f map[string][]byte) {
				f["Acme.application"] = []byte(strings.Replace(string(f["Acme.application"]), `Application Files\Acme_1_0_0_0\Acme.exe.manifest`, cb, 1))
			}))
			r := run(t, Options{}, dir)
			for _, f := range r.Findings {
				t.Errorf("%s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
			}
		})
	}
}
