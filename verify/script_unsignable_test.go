package verify

import "testing"

// TestAttackUnsignableScriptOtherFile: a batch file (.bat, .cmd) and a
// Windows Script Component (.wsc) run code, yet were other files: an
// unsigned install.cmd passed `require: valid` and forbidKinds could not
// name it. They are batch and script-component files now, noted as
// carrying no signature format: unsigned (a warning by default, an error
// under `require: valid`), loose or in a zip, by the name Windows gives
// them, and kinds forbidKinds names.
func TestAttackUnsignableScriptOtherFile(t *testing.T) {
	bat := []byte("@echo off\r\npowershell -enc SQBFAFgA\r\n")
	wsc := []byte("<?XML version=\"1.0\"?>\r\n<component><registration progid=\"X\"/><script language=\"JScript\">new ActiveXObject(\"WScript.Shell\").Run(\"calc\");</script></component>\r\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"tools/install.bat": bat,
		"tools/RUN.CMD":     bat,
		"tools/com.wsc":     wsc,
		"tools.zip":         makeZip(t, []zipEntry{{name: "install.cmd", data: bat}, {name: "com.wsc", data: wsc}}),
	})
	want := map[string]Kind{
		"tools/install.bat":     KindBatch,
		"tools/RUN.CMD":         KindBatch,
		"tools/com.wsc":         KindScriptComponent,
		"tools.zip/install.cmd": KindBatch,
		"tools.zip/com.wsc":     KindScriptComponent,
	}
	for _, tc := range []struct {
		pol *Policy
		sev string
	}{{nil, "warning"}, {requireValid(), "error"}} {
		r := run(t, Options{Policy: tc.pol}, dir)
		for p, k := range want {
			fb := fileByPath(r, p)
			got := rulesFor(r, p)
			if fb == nil || fb.Kind != k || !has(got, "note "+string(RuleScriptNoSignatureFormat)) || !has(got, tc.sev+" "+string(RuleUnsigned)) {
				t.Errorf("%s: %+v, findings %q, want %s, %s and %s %s", p, fb, got, k, RuleScriptNoSignatureFormat, tc.sev, RuleUnsigned)
			}
		}
	}
	for _, k := range []Kind{KindBatch, KindScriptComponent} {
		pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{k}}}}
		if err := pol.Validate(); err != nil {
			t.Fatal(err)
		}
		r := run(t, Options{Policy: pol}, dir)
		for p, pk := range want {
			if got := rulesFor(r, p); has(got, "error "+string(RuleForbiddenKind)) != (pk == k) {
				t.Errorf("forbidKinds [%s]: %s: findings %q", k, p, got)
			}
		}
	}
}

// TestAttackScriptletOtherFile: a .sct is a Windows Script Component to
// Windows (HKCR\.sct is scriptletfile, as .wsc is; regsvr32 /i:x.sct
// scrobj.dll runs it, the "Squiblydoo" allow-list bypass), yet it was an
// other file, so a release's payload.sct passed require: valid and no
// forbidKinds named it.
func TestAttackScriptletOtherFile(t *testing.T) {
	sct := []byte("<?XML version=\"1.0\"?>\r\n<scriptlet><registration progid=\"X\"><script language=\"JScript\"><![CDATA[new ActiveXObject(\"WScript.Shell\").Run(\"calc\");]]></script></registration></scriptlet>\r\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"tools/payload.sct": sct,
		"tools.zip":         makeZip(t, []zipEntry{{name: "Payload.SCT", data: sct}}),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"tools/payload.sct", "tools.zip/Payload.SCT"} {
		fb := fileByPath(r, p)
		got := rulesFor(r, p)
		if fb == nil || fb.Kind != KindScriptComponent || !has(got, "error "+string(RuleUnsigned)) {
			t.Errorf("%s: %+v, findings %q, want %s and error %s", p, fb, got, KindScriptComponent, RuleUnsigned)
		}
	}
}

// TestAttackHTMLApplicationOtherFile: an HTML Application (.hta) is code
// mshta.exe runs with the user's full rights (a setup's launcher, a
// common dropper); it was an other file, so a release's setup.hta passed
// require: valid and no forbidKinds named it.
func TestAttackHTMLApplicationOtherFile(t *testing.T) {
	hta := []byte("<html><head><hta:application id=\"x\"/><script language=\"VBScript\">CreateObject(\"WScript.Shell\").Run \"calc\"</script></head></html>\r\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"setup.hta": hta,
		"tools.zip": makeZip(t, []zipEntry{{name: "Launch.HTA", data: hta}}),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"setup.hta", "tools.zip/Launch.HTA"} {
		fb := fileByPath(r, p)
		got := rulesFor(r, p)
		if fb == nil || fb.Kind != KindHTMLApplication || !has(got, "note "+string(RuleScriptNoSignatureFormat)) || !has(got, "error "+string(RuleUnsigned)) {
			t.Errorf("%s: %+v, findings %q, want %s, %s and error %s", p, fb, got, KindHTMLApplication, RuleScriptNoSignatureFormat, RuleUnsigned)
		}
	}
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{KindHTMLApplication}}}}
	if err := pol.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := rulesFor(run(t, Options{Policy: pol}, dir), "setup.hta"); !has(got, "error "+string(RuleForbiddenKind)) {
		t.Errorf("forbidKinds [%s]: %q", KindHTMLApplication, got)
	}
}
