package verify

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// signedJS signs a JScript file with the fixtures' Windows leaf.
func signedJS(t *testing.T, text string) []byte {
	t.Helper()
	return signedScriptAs(t, authenticode.ScriptJScript, "10e0c906ce38d411a2a300104bd35090", 65536, text,
		"// SIG // Begin signature block", "// SIG // ", "", "// SIG // End signature block")
}

// TestAttackJScriptCodeFarAfterBlock: a .js is a JScript when it holds a
// signature block's begin line, looked for in its last 256 KiB alone, so
// code appended after a signed script's block, more than that, made it an
// other file: the appended code, which Windows Script Host runs, passed
// unreported. The whole file is searched now, loose and in a zip; the
// signed script alone stays valid.
func TestAttackJScriptCodeFarAfterBlock(t *testing.T) {
	t.Parallel()
	signed := signedJS(t, "WScript.Echo(\"installer helper\");\r\n")
	evil := append(bytes.Clone(signed), strings.Repeat("WScript.Echo(\"stage two\");\r\n", (jsTail+4096)/28)...)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"helper.js":   evil,
		"helpers.zip": makeZip(t, []zipEntry{{name: "helper.js", data: evil}}),
	})
	r := run(t, Options{}, dir)
	for _, p := range []string{"helper.js", "helpers.zip/helper.js"} {
		fb := fileByPath(r, p)
		if fb == nil || fb.Kind != KindJScript || !has(rulesFor(r, p), "error "+string(authenticode.RuleScriptContentAfterSignature)) {
			t.Errorf("%s: %+v, findings %q, want a jscript with %s", p, fb, rulesFor(r, p), authenticode.RuleScriptContentAfterSignature)
		}
	}
	if r.Summary.Passed {
		t.Error("the gate passed")
	}
	ok := t.TempDir()
	writeTree(t, ok, map[string][]byte{"helper.js": signed})
	r = run(t, Options{Policy: requireValid()}, ok)
	if fb := fileByPath(r, "helper.js"); !r.Summary.Passed || fb == nil || fb.Kind != KindJScript {
		t.Errorf("signed script: passed %v, %+v, findings %v", r.Summary.Passed, fb, r.Findings)
	}
}

// TestAttackScriptInCompressedEntry: a script in a compressed archive
// entry (a deflated zip entry, a member of a .tar.gz) was streamed and
// hashed as an other file, its signature never looked at: a tampered
// signed PowerShell script passed, and an unsigned one passed `require:
// valid`. Each is verified as in a folder now; the signed ones stay valid.
func TestAttackScriptInCompressedEntry(t *testing.T) {
	t.Parallel()
	ps1 := signedPS1(t, "Write-Host hello\r\n")
	js := signedJS(t, "WScript.Echo(\"hello\");\r\n")
	evil := append(bytes.Clone(ps1), "Invoke-Payload\r\n"...)
	good := []zipEntry{{name: "ok.ps1", data: ps1}, {name: "ok.js", data: js}}
	for name, tc := range map[string]struct {
		bad  []byte
		rule string
	}{
		"tampered": {evil, "error " + string(authenticode.RuleScriptContentAfterSignature)},
		"unsigned": {[]byte("Invoke-Payload\r\n"), "error " + string(ruleUnsigned)},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			entries := append(slices.Clone(good), zipEntry{name: "evil.ps1", data: tc.bad})
			writeTree(t, dir, map[string][]byte{
				"a.zip":    makeZip(t, entries),
				"a.tar.gz": gzipOf(makeTar(t, tarEntry{name: "ok.ps1", data: ps1}, tarEntry{name: "ok.js", data: js}, tarEntry{name: "evil.ps1", data: tc.bad})),
			})
			r := run(t, Options{Policy: requireValid()}, dir)
			if r.Summary.Passed {
				t.Error("the gate passed")
			}
			for _, arc := range []string{"a.zip", "a.tar.gz"} {
				if fb := fileByPath(r, arc+"/evil.ps1"); fb == nil || fb.Kind != KindPowerShell || !has(rulesFor(r, arc+"/evil.ps1"), tc.rule) {
					t.Errorf("%s/evil.ps1: %+v, findings %q, want a powershell with %s", arc, fb, rulesFor(r, arc+"/evil.ps1"), tc.rule)
				}
				for p, k := range map[string]Kind{"ok.ps1": KindPowerShell, "ok.js": KindJScript} {
					fb := fileByPath(r, arc+"/"+p)
					if fb == nil || fb.Kind != k || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid || len(rulesFor(r, arc+"/"+p)) != 0 {
						t.Errorf("%s/%s: %+v, findings %q, want a valid %s", arc, p, fb, rulesFor(r, arc+"/"+p), k)
					}
				}
			}
		})
	}
}

// TestAttackScriptNameWindowsTrims: Windows drops a name's trailing dots
// and spaces and its default-stream suffix, so install.ps1., "install.ps1 "
// and install.ps1::$DATA are written as install.ps1 and run by PowerShell.
// Scripts are told by their extension, and these were other files: an
// unsigned script under such a name passed `require: valid`, loose and in
// a zip.
func TestAttackScriptNameWindowsTrims(t *testing.T) {
	t.Parallel()
	payload := []byte("Invoke-Payload\r\n")
	names := []string{"install.ps1.", "install.ps1 ", "install.ps1::$DATA", "install.PS1. .", "run.vbs.", "setup.wsf "}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tree := map[string][]byte{"a.zip": makeZip(t, []zipEntry{{name: "tools/" + name, data: payload}})}
			if !strings.Contains(name, ":") {
				tree[name] = payload
			}
			writeTree(t, dir, tree)
			r := run(t, Options{Policy: requireValid()}, dir)
			if r.Summary.Passed {
				t.Error("the gate passed")
			}
			for p := range tree {
				if p == "a.zip" {
					p = "a.zip/tools/" + name
				}
				if !has(rulesFor(r, p), "error "+string(ruleUnsigned)) {
					t.Errorf("%s: %+v, findings %q, want %s", p, fileByPath(r, p), rulesFor(r, p), ruleUnsigned)
				}
			}
		})
	}
	// A signed script under such a name is verified, valid (the name is
	// file/windows-alias, as a PE's would be).
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"install.ps1.": signedPS1(t, "Write-Host hello\r\n")})
	r := run(t, Options{Policy: requireValid()}, dir)
	if fb := fileByPath(r, "install.ps1."); fb == nil || fb.Kind != KindPowerShell || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
		t.Errorf("signed install.ps1.: %+v, findings %q", fb, rulesFor(r, "install.ps1."))
	}
}

// signedPS1XML signs a PowerShell XML file with the fixtures' Windows
// leaf: the PowerShell subject interface package, XML comment lines.
func signedPS1XML(t *testing.T, text string) []byte {
	t.Helper()
	return signedScriptAs(t, authenticode.ScriptPowerShellXML, "1fcc3b60594b084eb724d2c6297ef351", 65536, text,
		"<!-- SIG # Begin signature block -->", "<!-- ", " -->", "<!-- SIG # End signature block -->")
}

// TestAttackPowerShellXMLUnverified: a module's .ps1xml type data holds
// script blocks PowerShell runs (ScriptMethod, ScriptProperty), and is
// signed like a script; it was an other file, so a tampered signed one, or
// an unsigned one under `require: valid`, passed. It is a powershell file
// now, its XML comment signature block verified; the signed one is valid.
func TestAttackPowerShellXMLUnverified(t *testing.T) {
	t.Parallel()
	text := "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\r\n<Types><Type><Name>System.String</Name><Members><ScriptMethod><Name>Run</Name><Script>Write-Host hi</Script></ScriptMethod></Members></Type></Types>\r\n"
	signed := signedPS1XML(t, text)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"mod/ok.ps1xml":       signed,
		"mod/ok.ps1":          signedPS1(t, "Write-Host hello\r\n"),
		"mod/tampered.ps1xml": bytes.Replace(signed, []byte("Write-Host hi"), []byte("Invoke-Evil!!"), 1),
		"mod/unsigned.cdxml":  []byte(text),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed {
		t.Error("the gate passed")
	}
	for p, want := range map[string]string{
		"mod/tampered.ps1xml": "error " + string(authenticode.RuleScriptDigestMismatch),
		"mod/unsigned.cdxml":  "error " + string(ruleUnsigned),
	} {
		if fb := fileByPath(r, p); fb == nil || fb.Kind != KindPowerShell || !has(rulesFor(r, p), want) {
			t.Errorf("%s: %+v, findings %q, want %s", p, fb, rulesFor(r, p), want)
		}
	}
	for _, p := range []string{"mod/ok.ps1xml", "mod/ok.ps1"} {
		if fb := fileByPath(r, p); fb == nil || fb.Kind != KindPowerShell || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid || len(rulesFor(r, p)) != 0 {
			t.Errorf("%s: %+v, findings %q, want valid", p, fb, rulesFor(r, p))
		}
	}
}
