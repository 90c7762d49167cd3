package authenticode

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// refScriptDigest is the script digest written the plain way, apart from
// scriptDigest: the decoded text as UTF-16LE, and for the Windows Script
// Host the count of code units after it.
func refScriptDigest(h crypto.Hash, text string, wsh bool) []byte {
	u := utf16.Encode([]rune(text))
	d := h.New()
	for _, c := range u {
		d.Write(binary.LittleEndian.AppendUint16(nil, c))
	}
	if wsh {
		d.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(u))))
	}
	return d.Sum(nil)
}

// decodeScript decodes a script's bytes as the kind's SIP reads them.
func decodeScript(kind ScriptKind, b []byte) string {
	st, _ := kind.style()
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		u := make([]uint16, (len(b)-2)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2+2*i:])
		}
		s := string(utf16.Decode(u))
		if !st.wsh {
			s = "\ufeff" + s
		}
		return s
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		if st.wsh {
			return string(b[3:])
		}
		return string(b)
	case st.latin1:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	return string(b)
}

// scriptSpec describes a signed script fixture.
type scriptSpec struct {
	kind    ScriptKind
	content []byte // the script's bytes, BOM included
	// sip overrides the SpcSipInfo GUID; digest overrides the digest.
	sip, digest []byte
	// trailing is appended to the decoded PKCS#7 in the block.
	trailing []byte
}

// signScript signs a script as the Windows signers lay it out: the block
// appended after CR LF (before the last </job> of a .wsf), base64 in lines
// of 64 characters, in the file's encoding.
func signScript(t testing.TB, p *fixtures.PKI, s scriptSpec) []byte {
	t.Helper()
	st, _ := s.kind.style()
	enc := encUTF8
	if bytes.HasPrefix(s.content, []byte{0xff, 0xfe}) {
		enc = encUTF16LE
	}
	before, after := s.content, []byte(nil)
	if s.kind == ScriptWSF {
		k := bytes.LastIndex(s.content, encodeASCII("</job>", enc))
		before, after = s.content[:k], s.content[k:]
	}
	digest := s.digest
	if digest == nil {
		digest = refScriptDigest(crypto.SHA256, decodeScript(s.kind, append(append([]byte(nil), before...), after...)), st.wsh)
	}
	sip := s.sip
	if sip == nil {
		sip = st.sip
	}
	version := 1
	if s.kind == ScriptPowerShell || s.kind == ScriptPowerShellXML || s.kind == ScriptPowerShellMOF {
		version = 65536
	}
	blob, err := pefile.SignContent(pefile.SipIndirectData(version, sip, crypto.SHA256, digest),
		pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	blob = append(blob, s.trailing...)
	b64 := base64.StdEncoding.EncodeToString(blob)
	var blk strings.Builder
	blk.WriteString("\r\n" + st.begin + "\r\n")
	for i := 0; i < len(b64); i += 64 {
		blk.WriteString(st.prefix + b64[i:min(i+64, len(b64))] + st.suffix + "\r\n")
	}
	blk.WriteString(st.end + "\r\n")
	return bytes.Join([][]byte{before, encodeASCII(blk.String(), enc), after}, nil)
}

func scriptTrust(t testing.TB, p *fixtures.PKI) *signing.TrustStore {
	t.Helper()
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	return trust
}

func verifyScript(t testing.TB, kind ScriptKind, b []byte, trust *signing.TrustStore) *Result {
	t.Helper()
	res, err := VerifyScript(bytes.NewReader(b), int64(len(b)), kind, Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyScript: %v", err)
	}
	return res
}

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, c := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

// scriptSamples are unsigned scripts of every kind and encoding.
func scriptSamples() map[string]scriptSpec {
	return map[string]scriptSpec{
		"ps1-utf8":       {kind: ScriptPowerShell, content: []byte("Write-Host \"héllo\"\r\n")},
		"ps1-utf8-bom":   {kind: ScriptPowerShell, content: []byte("\xef\xbb\xbfWrite-Host \"héllo\"\r\n")},
		"ps1-utf16":      {kind: ScriptPowerShell, content: utf16LE("Write-Host \"héllo 𝄞\"\r\n")},
		"js-latin1":      {kind: ScriptJScript, content: []byte("WScript.Echo(\"h\xe9llo\");\r\n")},
		"js-utf8-bom":    {kind: ScriptJScript, content: []byte("\xef\xbb\xbfWScript.Echo(\"héllo\");\r\n")},
		"vbs":            {kind: ScriptVBScript, content: []byte("WScript.Echo \"hello\"\r\n")},
		"vbs-utf16":      {kind: ScriptVBScript, content: utf16LE("WScript.Echo \"héllo\"\r\n")},
		"wsf":            {kind: ScriptWSF, content: []byte("<package>\r\n<job id=\"a\">\r\n<script language=\"JScript\">WScript.Echo(\"hi\");</script>\r\n</job>\r\n</package>\r\n")},
		"mof":            {kind: ScriptPowerShellMOF, content: []byte("instance of Win32_Environment { Name = \"ACME\"; };\r\n")},
		"ps1xml":         {kind: ScriptPowerShellXML, content: []byte("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\r\n<Types><Type><Name>System.String</Name><Members><ScriptMethod><Name>Run</Name><Script>Write-Host hi</Script></ScriptMethod></Members></Type></Types>\r\n")},
		"wsf-utf8-chars": {kind: ScriptWSF, content: []byte("<package><job><script language=\"VBScript\">WScript.Echo \"héllo\"</script></job></package>")},
	}
}

// TestScriptSignedValid signs every kind and encoding and checks the
// signature verifies, with the SIP digest reported.
func TestScriptSignedValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, s := range scriptSamples() {
		t.Run(name, func(t *testing.T) {
			signed := signScript(t, p, s)
			res := verifyScript(t, s.kind, signed, trust)
			if res.Status != signing.StatusValid {
				t.Fatalf("status %s, want valid; findings %+v; checks %+v", res.Status, res.Findings, res.Signatures)
			}
			st, _ := s.kind.style()
			want := hex.EncodeToString(refScriptDigest(crypto.SHA256, decodeScript(s.kind, s.content), st.wsh))
			if res.Authentihash["sha256"] != want {
				t.Errorf("authentihash %s, want %s", res.Authentihash["sha256"], want)
			}
			if len(res.Findings) != 0 {
				t.Errorf("findings on a clean script: %+v", res.Findings)
			}
			// The unsigned script has the same SIP digest.
			un := verifyScript(t, s.kind, s.content, trust)
			if un.Status != signing.StatusUnsigned || un.Authentihash["sha256"] != want {
				t.Errorf("unsigned: status %s digest %s, want unsigned %s", un.Status, un.Authentihash["sha256"], want)
			}
		})
	}
}

// TestScriptTamperedDigestMismatch changes one character of a signed
// script's text: the digest no longer matches.
func TestScriptTamperedDigestMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, s := range scriptSamples() {
		t.Run(name, func(t *testing.T) {
			signed := signScript(t, p, s)
			k := bytes.Index(signed, []byte("W"))
			signed[k] = 'X'
			res := verifyScript(t, s.kind, signed, trust)
			if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
				t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleScriptDigestMismatch)
			}
		})
	}
}

// TestScriptContentAfterSignature appends a command after the signature
// block of a PowerShell script: the digest still matches, the bytes are
// reported and the signature is invalid.
func TestScriptContentAfterSignature(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	s := scriptSamples()["ps1-utf8"]
	signed := append(signScript(t, p, s), "Invoke-Payload\r\n"...)
	res := verifyScript(t, s.kind, signed, trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptContentAfterSignature) || hasRule(res, RuleScriptDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s only", res.Status, res.Findings, RuleScriptContentAfterSignature)
	}
	// In a .wsf the text after the block is hashed: appending breaks the
	// digest instead.
	w := scriptSamples()["wsf"]
	signed = append(signScript(t, p, w), "<job><script>evil()</script></job>"...)
	res = verifyScript(t, w.kind, signed, trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
		t.Fatalf("wsf: status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleScriptDigestMismatch)
	}
}

// TestScriptSignatureTrailingData hides bytes after the PKCS#7 inside the
// base64 of the block.
func TestScriptSignatureTrailingData(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["js-latin1"]
	s.trailing = bytes.Repeat([]byte("payload!"), 8)
	res := verifyScript(t, s.kind, signScript(t, p, s), scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptSignatureTrailingData) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleScriptSignatureTrailingData)
	}
}

// TestScriptSIPMismatch carries a JScript signature on a VBScript: the
// signature names another subject interface package.
func TestScriptSIPMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["vbs"]
	s.sip = sipJScript
	res := verifyScript(t, s.kind, signScript(t, p, s), scriptTrust(t, p))
	if res.Status != signing.StatusMalformed || !hasRule(res, RuleScriptMalformedSignature) {
		t.Fatalf("status %s findings %+v, want malformed with %s", res.Status, res.Findings, RuleScriptMalformedSignature)
	}
}

// TestScriptMalformedBlock breaks the block's base64 and its end line.
func TestScriptMalformedBlock(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["ps1-utf8"]
	signed := signScript(t, p, s)
	for name, b := range map[string][]byte{
		"bad-base64": bytes.Replace(signed, []byte("\r\n# MII"), []byte("\r\n# !II"), 1),
		"no-end":     bytes.Replace(signed, []byte("# SIG # End signature block"), []byte("# SIG # Fin"), 1),
	} {
		t.Run(name, func(t *testing.T) {
			res := verifyScript(t, s.kind, b, scriptTrust(t, p))
			if res.Status != signing.StatusMalformed || !hasRule(res, RuleScriptMalformedSignature) {
				t.Fatalf("status %s findings %+v, want malformed with %s", res.Status, res.Findings, RuleScriptMalformedSignature)
			}
		})
	}
}

// TestScriptEndLineWithoutNewline drops the CR LF after the end line:
// nothing follows the block, so the signature stays valid.
func TestScriptEndLineWithoutNewline(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["ps1-utf8"]
	signed := signScript(t, p, s)
	res := verifyScript(t, s.kind, bytes.TrimSuffix(signed, []byte("\r\n")), scriptTrust(t, p))
	if res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
	}
}

// TestScriptKindOf maps extensions to kinds.
func TestScriptKindOf(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]ScriptKind{"a.ps1": ScriptPowerShell, "M.PSM1": ScriptPowerShell, "d.psd1": ScriptPowerShell,
		"x.js": ScriptJScript, `C:\y.VBS`: ScriptVBScript, "z.wsf": ScriptWSF} {
		if got, ok := ScriptKindOf(name); !ok || got != want {
			t.Errorf("ScriptKindOf(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	if _, ok := ScriptKindOf("a.txt"); ok {
		t.Error("a.txt is a script")
	}
}

// TestOsslsigncodeScript has osslsigncode sign PowerShell scripts in three
// encodings and checks that we accept them, computing the digest it
// computes; a tampered copy fails for both. Of the other script kinds
// osslsigncode 2.9 signs the PowerShell XML files and .mof
// (TestOsslsigncodeMOF), not the Windows Script Host's; 2.10 added .js,
// signed with PowerShell's SIP and digest, which Windows rejects
// (TestOsslsigncodeJScript).
func TestOsslsigncodeScript(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	for _, name := range []string{"ps1-utf8", "ps1-utf8-bom", "ps1-utf16"} {
		t.Run(name, func(t *testing.T) {
			s := scriptSamples()[name]
			signed, out := e.sign(t, e.write(name+".ps1", s.content), name+"-signed.ps1")
			res := verifyScript(t, s.kind, signed, e.trust)
			if res.Status != signing.StatusValid {
				t.Fatalf("status %s, want valid; findings %+v", res.Status, res.Findings)
			}
			want := osslDigests(t, e.tool, out)
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v, we computed %s", want, res.Signatures[0].Digest.Computed)
			}
			bad := bytes.Replace(signed, []byte("W"), []byte("X"), 1)
			if o, err := e.verify(e.write(name+"-bad.ps1", bad)); err == nil {
				t.Errorf("osslsigncode accepts the tampered script:\n%s", o)
			}
			if res := verifyScript(t, s.kind, bad, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
		})
	}
}

// FuzzVerifyScript feeds arbitrary bytes to VerifyScript for every kind:
// it must not panic, and a Result must carry the SHA-256 SIP digest.
func FuzzVerifyScript(f *testing.F) {
	p := fixtures.NewPKI()
	for _, s := range scriptSamples() {
		f.Add(uint8(s.kind), signScript(f, p, s))
		f.Add(uint8(s.kind), s.content)
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		kind := ScriptKind(k%6 + 1)
		res, err := VerifyScript(bytes.NewReader(b), int64(len(b)), kind, Options{})
		if err != nil {
			return
		}
		if res.Authentihash["sha256"] == "" {
			t.Fatal("no sha256 digest")
		}
	})
}
