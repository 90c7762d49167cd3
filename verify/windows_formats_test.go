package verify

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// signedMSI builds a small Windows Installer database and signs it with
// the fixtures' Windows leaf.
func signedMSI(t *testing.T) []byte {
	t.Helper()
	return signMSI(t, msi.BuildNode([]msi.BuildTable{{Name: "Property", Columns: []msi.Column{{Name: "Property", Type: 0x2d48}, {Name: "Value", Type: 0x0fff}},
		Rows: [][]any{{"Comment", "installer table data"}}}}, nil))
}

// signMSI signs the compound file root with the fixtures' Windows leaf.
func signMSI(t testing.TB, root *cfb.Node) []byte {
	t.Helper()
	f := getFixtures(t)
	un := cfb.Build(root)
	res, err := authenticode.VerifyMSI(bytes.NewReader(un), int64(len(un)), authenticode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString(res.Authentihash["sha256"])
	guid, _ := hex.DecodeString("f1100c0000000000c000000000000046")
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, guid, crypto.SHA256, digest), pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	signed := *root
	signed.Children = append(slices.Clone(root.Children), &cfb.Node{Name: "\x05DigitalSignature", Data: blob})
	return cfb.Build(&signed)
}

// signedPS1 signs a PowerShell script with the fixtures' Windows leaf.
func signedPS1(t *testing.T, text string) []byte {
	t.Helper()
	return signedScriptAs(t, authenticode.ScriptPowerShell, "1fcc3b60594b084eb724d2c6297ef351", 65536, text,
		"# SIG # Begin signature block", "# ", "", "# SIG # End signature block")
}

// TestWindowsFormatsInRelease checks that a release's MSI and PowerShell
// files are detected and verified: signed ones are valid, tampered ones
// fail with their format's rule, and a plain .js stays an other file.
func TestWindowsFormatsInRelease(t *testing.T) {
	t.Parallel()
	signed := signedMSI(t)
	bad := bytes.Clone(signed)
	bad[bytes.Index(bad, []byte("installer table"))] = 'j'
	ps1 := signedPS1(t, "Write-Host hello\r\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"setup.msi":    signed,
		"tampered.msi": bad,
		"install.ps1":  ps1,
		"evil.ps1":     append(bytes.Clone(ps1), "Invoke-Payload\r\n"...),
		"app.js":       []byte("console.log('not signed')\n"),
	})
	r := run(t, Options{}, dir)
	for path, want := range map[string]Kind{"setup.msi": KindMSI, "tampered.msi": KindMSI, "install.ps1": KindPowerShell, "evil.ps1": KindPowerShell, "app.js": KindOther} {
		if fb := fileByPath(r, path); fb == nil || fb.Kind != want {
			t.Errorf("%s: %+v, want kind %s", path, fb, want)
		}
	}
	for _, path := range []string{"setup.msi", "install.ps1"} {
		if fb := fileByPath(r, path); len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: signatures %+v, want one valid", path, fb.Signatures)
		}
		// The fixture MSI has no MsiDigitalSignatureEx: a note says its
		// digest covers no stream metadata.
		if got := slices.DeleteFunc(rulesFor(r, path), func(s string) bool { return s == "note "+string(authenticode.RuleMSIUnsignedMetadata) }); len(got) != 0 {
			t.Errorf("%s: findings %q", path, got)
		}
	}
	if got := rulesFor(r, "tampered.msi"); !has(got, "error "+string(authenticode.RuleMSIDigestMismatch)) {
		t.Errorf("tampered.msi: findings %q, want %s", got, authenticode.RuleMSIDigestMismatch)
	}
	if got := rulesFor(r, "evil.ps1"); !has(got, "error "+string(authenticode.RuleScriptContentAfterSignature)) {
		t.Errorf("evil.ps1: findings %q, want %s", got, authenticode.RuleScriptContentAfterSignature)
	}
	if r.Summary.Passed {
		t.Error("a release with a tampered MSI passed")
	}
}

// TestUnsignedWindowsFormatsUnderRequireValid checks that MSI, cabinet and
// script files (.ps1, .psm1, .psd1, .vbs, .wsf) are code to the policy as PE files are: unsigned ones fail
// `require: valid` (and are warned about by default), signed ones pass, and
// forbidKinds names the new kinds.
func TestUnsignedWindowsFormatsUnderRequireValid(t *testing.T) {
	t.Parallel()
	unsignedMSI := cfb.Build(&cfb.Node{CLSID: [16]byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46},
		Children: []*cfb.Node{{Name: "table", Data: []byte("installer table data")}}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"setup.msi":    signedMSI(t),
		"unsigned.msi": unsignedMSI,
		"install.ps1":  signedPS1(t, "Write-Host hello\r\n"),
		"plain.ps1":    []byte("Write-Host unsigned\r\n"),
		"helper.vbs":   []byte("WScript.Echo \"unsigned\"\r\n"),
		"plain.cab":    cab.Build([]cab.BuildFile{{Name: "readme.txt", Data: []byte("unsigned cabinet\n")}}, cab.BuildOptions{Method: cab.MethodMSZIP}),
		"mod.psm1":     []byte("function Get-X { 1 }\r\n"),
		"data.psd1":    []byte("@{ ModuleVersion = '1.0' }\r\n"),
		"job.wsf":      []byte("<job><script language=\"JScript\">WScript.Echo(1);</script></job>\r\n"),
		"web.js":       []byte("console.log(1);\n"),
	})
	unsigned := []string{"unsigned.msi", "plain.ps1", "helper.vbs", "plain.cab", "mod.psm1", "data.psd1", "job.wsf"}
	for _, tc := range []struct {
		name string
		pol  *Policy
		sev  string
	}{{"default", nil, "warning"}, {"require-valid", requireValid(), "error"}} {
		r := run(t, Options{Policy: tc.pol}, dir)
		for _, p := range unsigned {
			if got := rulesFor(r, p); !has(got, tc.sev+" "+string(ruleUnsigned)) {
				t.Errorf("%s: %s: findings %q, want %s %s", tc.name, p, got, tc.sev, ruleUnsigned)
			}
		}
		for _, p := range []string{"setup.msi", "install.ps1"} {
			for _, g := range rulesFor(r, p) {
				if strings.HasPrefix(g, "error ") || strings.HasSuffix(g, string(ruleUnsigned)) {
					t.Errorf("%s: %s: finding %q", tc.name, p, g)
				}
			}
		}
		// A .js without a Windows Script Host signature block is web or
		// Node.js code, not a JScript (docs/policy.md).
		if got := rulesFor(r, "web.js"); len(got) != 0 {
			t.Errorf("%s: web.js: findings %q", tc.name, got)
		}
		if tc.pol != nil && r.Summary.Passed {
			t.Errorf("%s: the gate passed with unsigned MSI and scripts", tc.name)
		}
	}
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{KindMSI, KindPowerShell, KindCAB, KindWSF}}}}
	if err := pol.Validate(); err != nil {
		t.Fatalf("forbidKinds msi, powershell, cab, wsf: %v", err)
	}
	r := run(t, Options{Policy: pol}, dir)
	for _, p := range []string{"setup.msi", "unsigned.msi", "install.ps1", "plain.ps1", "mod.psm1", "data.psd1", "plain.cab", "job.wsf"} {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleForbiddenKind)) {
			t.Errorf("forbidKinds: %s: findings %q", p, got)
		}
	}
	if got := rulesFor(r, "helper.vbs"); has(got, "error "+string(RuleForbiddenKind)) {
		t.Errorf("forbidKinds: helper.vbs: findings %q", got)
	}
}

// TestSchemasListEveryKind keeps the kind enums of the policy and report
// JSON schemas equal to report.Kinds.
func TestSchemasListEveryKind(t *testing.T) {
	t.Parallel()
	var want []string
	for _, k := range report.Kinds() {
		want = append(want, `"`+string(k)+`"`)
	}
	enum := `{"enum": [` + strings.Join(want, ", ") + `]}`
	for _, p := range []string{"policy.schema.json", "report/schema/report.schema.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(enum)) {
			t.Errorf("%s does not list the kinds as %s", p, enum)
		}
	}
}

// signedCatalog signs a catalog of members with signer (the fixtures'
// Windows leaf when nil).
func signedCatalog(t *testing.T, signer *testpki.Cert, members ...pefile.CatalogMember) []byte {
	t.Helper()
	f := getFixtures(t)
	if signer == nil {
		signer = f.winLeaf
	}
	cat, err := pefile.SignCatalog(pefile.CTL(checkTime.Add(-time.Hour), members...), pefile.SignSpec{Signer: signer, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestCatalogKind checks that a .cat holding a signed CTL is a catalog and
// verified: valid, tampered, and not a catalog (another name, or a PE
// signature blob named .cat).
func TestCatalogKind(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUnsigned, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	cat := signedCatalog(t, nil, pefile.CatalogMember{Digest: d, Name: "app.exe"})
	bad := bytes.Clone(cat)
	bad[bytes.Index(bad, d)] ^= 1
	peSig, err := pefile.Sign(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":      cat,
		"DRV2.CAT":     cat,
		"tampered.cat": bad,
		"catalog.bin":  cat,
		"pesig.cat":    peSig,
		"text.cat":     []byte("not a catalog\n"),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for path, want := range map[string]Kind{"drv.cat": KindCatalog, "DRV2.CAT": KindCatalog, "tampered.cat": KindCatalog, "catalog.bin": KindOther, "pesig.cat": KindOther, "text.cat": KindOther} {
		if fb := fileByPath(r, path); fb == nil || fb.Kind != want {
			t.Errorf("%s: %+v, want kind %s", path, fb, want)
		}
	}
	if fb := fileByPath(r, "drv.cat"); len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid || len(rulesFor(r, "drv.cat")) != 0 {
		t.Errorf("drv.cat: signatures %+v findings %q", fb.Signatures, rulesFor(r, "drv.cat"))
	}
	if got := rulesFor(r, "tampered.cat"); !has(got, "error "+string(authenticode.RuleCatalogDigestMismatch)) {
		t.Errorf("tampered.cat: findings %q", got)
	}
}
