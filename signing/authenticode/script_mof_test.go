package authenticode

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// TestOsslsigncodeMOF has osslsigncode 2.9 sign .mof files (a "/* SIG #
// Begin signature block */" of C comment lines, the PowerShell subject
// interface package's digest) in three encodings: we accept each,
// computing the digest osslsigncode computes; a tampered copy fails for
// both, and a line appended after the block is reported.
func TestOsslsigncodeMOF(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	text := "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\r\ninstance of __Namespace { Name = \"Acme\"; };\r\n"
	for name, content := range map[string][]byte{"utf8": []byte(text), "utf8-bom": append([]byte("\xef\xbb\xbf"), text...), "utf16": utf16LE(text)} {
		t.Run(name, func(t *testing.T) {
			if k, ok := ScriptKindOf("config." + name + ".MOF"); !ok || k != ScriptPowerShellMOF {
				t.Fatalf("ScriptKindOf: %v %v", k, ok)
			}
			signed, out := e.sign(t, e.write(name+".mof", content), name+"-signed.mof")
			if !bytes.Contains(signed, encodeASCII("/* SIG # Begin signature block */", encodingOf(content))) {
				t.Fatalf("osslsigncode wrote no MOF block:\n%q", signed)
			}
			res := verifyScript(t, ScriptPowerShellMOF, signed, e.trust)
			if res.Status != signing.StatusValid || len(res.Findings) != 0 {
				t.Fatalf("status %s, want valid; findings %+v", res.Status, res.Findings)
			}
			want := osslDigests(t, e.tool, out)
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v, we computed %s", want, res.Signatures[0].Digest.Computed)
			}
			bad := bytes.Replace(signed, encodeASCII("Acme", encodingOf(content)), encodeASCII("Evil", encodingOf(content)), 1)
			if o, err := e.verify(e.write(name+"-bad.mof", bad)); err == nil {
				t.Errorf("osslsigncode accepts the tampered file:\n%s", o)
			}
			if res := verifyScript(t, ScriptPowerShellMOF, bad, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
			after := append(bytes.Clone(signed), encodeASCII("instance of __Namespace { Name = \"Evil\"; };\r\n", encodingOf(content))...)
			if res := verifyScript(t, ScriptPowerShellMOF, after, e.trust); !hasRule(res, RuleScriptContentAfterSignature) {
				t.Errorf("appended: status %s findings %+v", res.Status, res.Findings)
			}
		})
	}
}

// TestMOFUnsigned: a .mof with no block is unsigned, and one signed as
// PowerShell XML (the wrong comment style for a .mof) is not valid.
func TestMOFUnsigned(t *testing.T) {
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	content := []byte("instance of __Namespace { Name = \"Acme\"; };\r\n")
	if res := verifyScript(t, ScriptPowerShellMOF, content, trust); res.Status != signing.StatusUnsigned {
		t.Errorf("unsigned: status %s", res.Status)
	}
	xml := signScript(t, p, scriptSpec{kind: ScriptPowerShellXML, content: content})
	if res := verifyScript(t, ScriptPowerShellMOF, xml, trust); res.Status == signing.StatusValid {
		t.Errorf("an XML-comment block in a .mof: status %s", res.Status)
	}
}

// encodingOf is the encoding a script's byte order mark gives.
func encodingOf(b []byte) scriptEncoding {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) {
		return encUTF16LE
	}
	return encUTF8
}
