package verify

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// signedScriptAs signs text as a script of kind with the fixtures'
// Windows leaf, its block framed by begin and end lines and each base64
// line by prefix and suffix (before the last </job> of a .wsf).
func signedScriptAs(t *testing.T, kind authenticode.ScriptKind, sip string, version int, text, begin, prefix, suffix, end string) []byte {
	t.Helper()
	f := getFixtures(t)
	res, err := authenticode.VerifyScript(strings.NewReader(text), int64(len(text)), kind, authenticode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString(res.Authentihash["sha256"])
	guid, _ := hex.DecodeString(sip)
	blob, err := pefile.SignContent(pefile.SipIndirectData(version, guid, crypto.SHA256, digest), pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	b.WriteString("\r\n" + begin + "\r\n")
	for i := 0; i < len(b64); i += 64 {
		b.WriteString(prefix + b64[i:min(i+64, len(b64))] + suffix + "\r\n")
	}
	b.WriteString(end + "\r\n")
	if kind == authenticode.ScriptWSF {
		k := strings.LastIndex(text, "</job>")
		return []byte(text[:k] + b.String() + text[k:])
	}
	return []byte(text + b.String())
}

const mofText = "instance of MSFT_RoleResource as $r { ResourceID = \"[WindowsFeature]Web\"; Name = \"Web-Server\"; };\r\n"

// signedMOF signs a .mof as Set-AuthenticodeSignature and osslsigncode do:
// the PowerShell subject interface package, C comment lines.
func signedMOF(t *testing.T, text string) []byte {
	return signedScriptAs(t, authenticode.ScriptPowerShellMOF, "1fcc3b60594b084eb724d2c6297ef351", 65536, text,
		"/* SIG # Begin signature block */", "/* ", " */", "/* SIG # End signature block */")
}

// TestMOFVerified: a .mof (a DSC configuration, WMI classes) is signed
// with the PowerShell subject interface package in C comment lines; it was
// an other file, so a tampered signed one, or an unsigned one under
// `require: valid`, passed. It is a powershell file now: the signed one
// is valid, loose and in a zip; a changed character fails with the script
// digest mismatch, a line appended after the block with
// script/content-after-signature; the unsigned one fails `require: valid`.
func TestMOFVerified(t *testing.T) {
	signed := signedMOF(t, mofText)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"dsc/web.mof":      signed,
		"dsc/tampered.mof": bytes.Replace(signed, []byte("Web-Server"), []byte("Web-Evil!!"), 1),
		"dsc/appended.mof": append(bytes.Clone(signed), "instance of MSFT_ScriptResource { GetScript = \"evil\"; };\r\n"...),
		"dsc/unsigned.mof": []byte(mofText),
		"dsc.zip":          makeZip(t, []zipEntry{{name: "web.mof", data: signed}}),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"dsc/web.mof", "dsc.zip/web.mof"} {
		fb := fileByPath(r, p)
		if fb == nil || fb.Kind != KindPowerShell || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v, want a valid powershell file", p, fb)
		}
		if got := rulesFor(r, p); len(got) != 0 {
			t.Errorf("%s: findings %q", p, got)
		}
	}
	for p, rule := range map[string]signing.Rule{
		"dsc/tampered.mof": authenticode.RuleScriptDigestMismatch,
		"dsc/appended.mof": authenticode.RuleScriptContentAfterSignature,
		"dsc/unsigned.mof": RuleUnsigned,
	} {
		if got := rulesFor(r, p); !has(got, "error "+string(rule)) {
			t.Errorf("%s: findings %q, want %s", p, got, rule)
		}
	}
}

// TestOsslsigncodeMOFInRelease has osslsigncode sign a .mof with the
// fixtures' Windows leaf: the gate finds it valid, and a tampered copy,
// which osslsigncode refuses too, invalid.
func TestOsslsigncodeMOFInRelease(t *testing.T) {
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode not installed; skipping the cross-check")
	}
	f := getFixtures(t)
	tmp := t.TempDir()
	write := func(name string, b ...[]byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, bytes.Join(b, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certs, key, ca := write("certs.pem", f.winLeaf.PEM(), f.winRoot.PEM()), write("key.pem", f.winLeaf.KeyPEM()), write("ca.pem", f.winRoot.PEM())
	in, out := write("web.mof", []byte(mofText)), filepath.Join(tmp, "signed.mof")
	if b, err := exec.Command(tool, "sign", "-certs", certs, "-key", key, "-h", "sha256", "-in", in, "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("osslsigncode sign: %v\n%s", err, b)
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	bad := write("bad.mof", bytes.Replace(signed, []byte("Web-Server"), []byte("Web-Evil!!"), 1))
	if b, err := exec.Command(tool, "verify", "-CAfile", ca, "-ignore-cdp", "-in", bad).CombinedOutput(); err == nil {
		t.Errorf("osslsigncode accepts the tampered .mof:\n%s", b)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"web.mof": signed, "bad.mof": bytes.Replace(signed, []byte("Web-Server"), []byte("Web-Evil!!"), 1)})
	r := run(t, Options{Policy: requireValid()}, dir)
	if fb := fileByPath(r, "web.mof"); fb == nil || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid || len(rulesFor(r, "web.mof")) != 0 {
		t.Errorf("web.mof: %+v, findings %q", fb, rulesFor(r, "web.mof"))
	}
	if got := rulesFor(r, "bad.mof"); !has(got, "error "+string(authenticode.RuleScriptDigestMismatch)) {
		t.Errorf("bad.mof: findings %q", got)
	}
}

// TestAttackEncodedScriptOtherFile: a Script Encoder file (.vbe, .jse)
// runs under the Windows Script Host like a .vbs, yet was an other file:
// unremarked by default and passing `require: valid`. It is an
// encoded-script file now, noted as carrying no signature any script
// format covers: unsigned (a warning by default, an error under `require:
// valid`), loose or in a zip, and a kind forbidKinds names.
func TestAttackEncodedScriptOtherFile(t *testing.T) {
	vbe := []byte("#@~^GQAAAA==\\ko$K6,JCV^GJ~@#@&iAYAAA==^#~@")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"tools/run.vbe":  vbe,
		"tools/RUN2.JSE": vbe,
		"tools.zip":      makeZip(t, []zipEntry{{name: "run.vbe", data: vbe}}),
	})
	paths := []string{"tools/run.vbe", "tools/RUN2.JSE", "tools.zip/run.vbe"}
	for _, tc := range []struct {
		pol *Policy
		sev string
	}{{nil, "warning"}, {requireValid(), "error"}} {
		r := run(t, Options{Policy: tc.pol}, dir)
		for _, p := range paths {
			fb := fileByPath(r, p)
			got := rulesFor(r, p)
			if fb == nil || fb.Kind != KindEncodedScript || !has(got, "note "+string(RuleScriptEncoded)) || !has(got, tc.sev+" "+string(RuleUnsigned)) {
				t.Errorf("%s: %+v, findings %q, want encoded-script, %s and %s %s", p, fb, got, RuleScriptEncoded, tc.sev, RuleUnsigned)
			}
		}
	}
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{KindEncodedScript}}}}
	if err := pol.Validate(); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Policy: pol}, dir)
	for _, p := range paths {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleForbiddenKind)) {
			t.Errorf("forbidKinds: %s: findings %q", p, got)
		}
	}
}

const wsfWithSrc = "<package>\r\n<job id=\"main\">\r\n<script language=\"VBScript\" src=\"lib\\helpers.vbs\"/>\r\n<script language=\"JScript\">WScript.Echo(1);</script>\r\n</job>\r\n</package>\r\n"

// signedWSF signs a Windows Script File with the fixtures' Windows leaf.
func signedWSF(t *testing.T, text string) []byte {
	return signedScriptAs(t, authenticode.ScriptWSF, "7005611ace38d411a2a300104bd35090", 65536, text, "<signature>", "** SIG ** ", "", "</signature>")
}

// TestAttackWSFExternalSource: a .wsf's <script src="…"> runs a file its
// signature does not cover: swapping lib\helpers.vbs changed what the
// signed job ran while the .wsf stayed valid, unreported. The element is
// script/external-source now, naming the file: an error in a signed .wsf
// (whose signature stays valid), a warning in an unsigned one; a .wsf
// whose scripts are inline has none.
func TestAttackWSFExternalSource(t *testing.T) {
	inline := strings.Replace(wsfWithSrc, "<script language=\"VBScript\" src=\"lib\\helpers.vbs\"/>\r\n", "", 1)
	wide := []byte{0xff, 0xfe}
	for _, c := range wsfWithSrc {
		wide = append(wide, byte(c), 0)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"signed.wsf":   signedWSF(t, wsfWithSrc),
		"unsigned.wsf": []byte(wsfWithSrc),
		"wide.wsf":     wide,
		"inline.wsf":   signedWSF(t, inline),
		"upper.wsf":    []byte(strings.ReplaceAll(wsfWithSrc, "script language=\"VBScript\" src=", "SCRIPT Language='VBScript' SRC = ")),
	})
	r := run(t, Options{}, dir)
	if fb := fileByPath(r, "signed.wsf"); fb == nil || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
		t.Fatalf("signed.wsf: %+v", fb)
	}
	for p, sev := range map[string]signing.Severity{"signed.wsf": signing.SeverityError, "unsigned.wsf": signing.SeverityWarning, "wide.wsf": signing.SeverityWarning, "upper.wsf": signing.SeverityWarning} {
		var got []signing.Finding
		for _, x := range r.Findings {
			if x.Path == p && x.Rule == RuleScriptExternalSource {
				got = append(got, x)
			}
		}
		if len(got) != 1 || got[0].Severity != sev || !strings.Contains(got[0].Message, `"lib\\helpers.vbs"`) || got[0].Offset == nil {
			t.Errorf("%s: %+v, want one %s %s naming lib\\helpers.vbs", p, got, sev, RuleScriptExternalSource)
		} else if want := int64(strings.Index(wsfWithSrc, "<script")); p == "wide.wsf" && *got[0].Offset != 2+2*want {
			t.Errorf("wide.wsf: offset %d, want %d", *got[0].Offset, 2+2*want)
		}
	}
	if got := rulesFor(r, "inline.wsf"); len(got) != 0 {
		t.Errorf("inline.wsf: findings %q", got)
	}
}

// TestWSFExternalSourceHostile: a .wsf of many "<script" with no end, or
// one tag holding many, is scanned in linear time, and a long src is cut
// in the message.
func TestWSFExternalSourceHostile(t *testing.T) {
	for _, b := range [][]byte{
		bytes.Repeat([]byte("<script "), 1<<20),
		append([]byte("<script"), bytes.Repeat([]byte(" <script"), 1<<20)...),
		[]byte("<job><script src=\"" + strings.Repeat("a", 1<<16) + "\"/></job>"),
	} {
		fs := wsfExternalSources(bytes.NewReader(b), int64(len(b)), nil)
		for _, f := range fs {
			if len(f.Message) > 2048 {
				t.Errorf("a message of %d bytes", len(f.Message))
			}
		}
	}
	if got := wsfExternalSources(strings.NewReader(`<script language="x" xsrc="a" data-src='b'>`), 44, nil); len(got) != 0 {
		t.Errorf("attributes ending in src: %+v", got)
	}
}
