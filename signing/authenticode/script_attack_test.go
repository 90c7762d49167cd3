package authenticode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// Attacks on the script verifier: bytes smuggled around or inside the
// signature block, and text whose bytes the digest does not pin down.

// firstBlockLine returns the offset of the first base64 line's content in
// a signed script (after the begin line and the prefix).
func firstBlockLine(t *testing.T, b []byte, kind ScriptKind) int {
	t.Helper()
	st, _ := kind.style()
	k := bytes.Index(b, []byte(st.begin+"\r\n"+st.prefix))
	if k < 0 {
		t.Fatal("no block")
	}
	return k + len(st.begin) + 2 + len(st.prefix)
}

// TestScriptBlockLineBreakInsideLineMalformed puts a lone CR or LF inside a
// base64 line of the block: the base64 still decodes to the same PKCS#7
// (decoders skip line breaks), but PowerShell and the Windows Script Host
// end a line at a lone CR, so the text after it is a line of code, not a
// comment, inside the block no digest covers.
func TestScriptBlockLineBreakInsideLineMalformed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for _, name := range []string{"ps1-utf8", "js-latin1", "vbs"} {
		s := scriptSamples()[name]
		signed := signScript(t, p, s)
		for _, brk := range []string{"\r", "\n"} {
			k := firstBlockLine(t, signed, s.kind) + 8
			b := bytes.Join([][]byte{signed[:k], []byte(brk), signed[k:]}, nil)
			res := verifyScript(t, s.kind, b, trust)
			if res.Status == signing.StatusValid || !hasRule(res, RuleScriptMalformedSignature) {
				t.Errorf("%s %q: status %s findings %+v, want not valid with %s", name, brk, res.Status, res.Findings, RuleScriptMalformedSignature)
			}
		}
	}
}

// TestScriptBlockForeignLineMalformed adds lines inside the block that are
// not base64 after the prefix (a command), or are base64 beyond the PKCS#7.
func TestScriptBlockForeignLineMalformed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	s := scriptSamples()["ps1-utf8"]
	signed := signScript(t, p, s)
	end := []byte("# SIG # End signature block")
	for name, c := range map[string]struct {
		insert []byte
		rule   signing.Rule
	}{
		"command":       {[]byte("Invoke-Payload\r\n"), RuleScriptMalformedSignature},
		"comment-text":  {[]byte("# not base64 at all\r\n"), RuleScriptMalformedSignature},
		"extra-base64":  {[]byte("# QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n"), RuleScriptSignatureTrailingData},
		"second-begin":  {[]byte("# SIG # Begin signature block\r\n"), RuleScriptMalformedSignature},
		"nul-in-prefix": {[]byte("#\x00QUFB\r\n"), RuleScriptMalformedSignature},
	} {
		k := bytes.Index(signed, end)
		b := bytes.Join([][]byte{signed[:k], c.insert, signed[k:]}, nil)
		res := verifyScript(t, s.kind, b, trust)
		if res.Status == signing.StatusValid || !hasRule(res, c.rule) {
			t.Errorf("%s: status %s findings %+v, want not valid with %s", name, res.Status, res.Findings, c.rule)
		}
	}
}

// TestScriptSecondSignatureBlockReported appends a second signature block
// (and NUL bytes, and a line after a CR-only break) after the first: the
// first block is the signature, everything after it is reported.
func TestScriptSecondSignatureBlockReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	s := scriptSamples()["ps1-utf8"]
	signed := signScript(t, p, s)
	for name, tail := range map[string][]byte{
		"second-block": signed[len(s.content):],
		"nul":          {0, 0, 0, 0},
		"cr-only-line": []byte("\rInvoke-Payload"),
	} {
		b := append(bytes.Clone(signed), tail...)
		res := verifyScript(t, s.kind, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptContentAfterSignature) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleScriptContentAfterSignature)
		}
	}
}

// TestScriptBOMChange adds a UTF-8 byte order mark to a signed BOM-less
// script. PowerShell hashes the mark: the digest breaks. The Windows Script
// Host does not hash it and reads an ASCII script the same either way, so
// the signature of an ASCII .vbs stays valid: the mark is a tolerated
// structure, as on Windows.
func TestScriptBOMChange(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	bom := []byte{0xef, 0xbb, 0xbf}
	ps := scriptSamples()["ps1-utf8"]
	res := verifyScript(t, ps.kind, append(bytes.Clone(bom), signScript(t, p, ps)...), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
		t.Errorf("ps1: status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleScriptDigestMismatch)
	}
	vbs := scriptSamples()["vbs"]
	res = verifyScript(t, vbs.kind, append(bytes.Clone(bom), signScript(t, p, vbs)...), trust)
	if res.Status != signing.StatusValid {
		t.Errorf("vbs: status %s findings %+v, want valid", res.Status, res.Findings)
	}
}

// TestScriptNULInTextDigestMismatch inserts a NUL byte in the signed text:
// it is hashed like any character.
func TestScriptNULInTextDigestMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for _, name := range []string{"ps1-utf8", "js-latin1", "ps1-utf16"} {
		s := scriptSamples()[name]
		signed := signScript(t, p, s)
		nul := []byte{0}
		if bytes.HasPrefix(signed, []byte{0xff, 0xfe}) {
			nul = []byte{0, 0}
		}
		k := len(s.content) - 2*len(nul) // before the final CR LF
		b := bytes.Join([][]byte{signed[:k], nul, signed[k:]}, nil)
		res := verifyScript(t, s.kind, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
			t.Errorf("%s: status %s findings %+v, want invalid with %s", name, res.Status, res.Findings, RuleScriptDigestMismatch)
		}
	}
}

// TestScriptUTF16BigEndianNotValid converts a signed UTF-16LE script to
// UTF-16BE: its block is not found as text of a known encoding, so the
// script is not reported as validly signed.
func TestScriptUTF16BigEndianNotValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["ps1-utf16"]
	le := signScript(t, p, s)
	be := make([]byte, len(le))
	for i := 0; i+1 < len(le); i += 2 {
		binary.BigEndian.PutUint16(be[i:], binary.LittleEndian.Uint16(le[i:]))
	}
	res := verifyScript(t, s.kind, be, scriptTrust(t, p))
	if res.Status == signing.StatusValid {
		t.Fatalf("status %s, want not valid", res.Status)
	}
}

// TestScriptInvalidUTF8Reported signs a BOM-less PowerShell script holding
// a byte that is not UTF-8 (a Latin-1 é). The digest hashes U+FFFD for it,
// as for any other invalid byte, so the byte could be swapped for another
// invalid one, carrying data, and the digest would still match: invalid
// UTF-8 in the hashed text is reported and the signature is invalid.
func TestScriptInvalidUTF8Reported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, s := range map[string]scriptSpec{
		"ps1":         {kind: ScriptPowerShell, content: []byte("Write-Host \"caf\xe9\"\r\n")},
		"js-utf8-bom": {kind: ScriptJScript, content: []byte("\xef\xbb\xbfWScript.Echo(\"caf\xe9\");\r\n")},
		"surrogate":   {kind: ScriptPowerShell, content: []byte("Write-Host \"\xed\xa0\x80\"\r\n")},
	} {
		signed := signScript(t, p, s)
		swapped := bytes.Clone(signed)
		k := bytes.IndexAny(swapped, "\xe9\xed")
		swapped[k] = 0xff
		for variant, b := range map[string][]byte{"signed": signed, "swapped": swapped} {
			res := verifyScript(t, s.kind, b, trust)
			if res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptInvalidText) || hasRule(res, RuleScriptDigestMismatch) {
				t.Errorf("%s %s: status %s findings %+v, want invalid with %s only", name, variant, res.Status, res.Findings, RuleScriptInvalidText)
			}
		}
	}
	// Valid UTF-8, U+FFFD itself included, is fine.
	ok := scriptSpec{kind: ScriptPowerShell, content: []byte("Write-Host \"caf\u00e9 \ufffd\"\r\n")}
	if res := verifyScript(t, ok.kind, signScript(t, p, ok), trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Errorf("valid UTF-8: status %s findings %+v", res.Status, res.Findings)
	}
}

// TestScriptWSFBlockMovedMalformed moves a .wsf's signature element away
// from the last </job>. The digest covers the text around the block
// joined, so it still matches, yet the element now sits elsewhere in the
// file (inside a script element, say): the block must precede the last
// </job>, where signers put it.
func TestScriptWSFBlockMovedMalformed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	s := scriptSamples()["wsf"]
	signed := signScript(t, p, s)
	if res := verifyScript(t, s.kind, signed, trust); res.Status != signing.StatusValid {
		t.Fatalf("signed: status %s", res.Status)
	}
	start := bytes.Index(signed, []byte("\r\n<signature>\r\n"))
	end := bytes.Index(signed, []byte("</signature>\r\n")) + len("</signature>\r\n")
	blk := signed[start:end]
	rest := append(bytes.Clone(signed[:start]), signed[end:]...)
	k := bytes.Index(rest, []byte("WScript.Echo")) // inside the script element
	moved := bytes.Join([][]byte{rest[:k], blk, rest[k:]}, nil)
	res := verifyScript(t, s.kind, moved, trust)
	if res.Status == signing.StatusValid || !hasRule(res, RuleScriptMalformedSignature) {
		t.Fatalf("moved: status %s findings %+v, want not valid with %s", res.Status, res.Findings, RuleScriptMalformedSignature)
	}
}

// TestScriptNonCanonicalBase64Malformed sets the unused low bits of the
// block's last base64 character before its padding: a lenient decoder
// returns the same PKCS#7, so those bits would be unsigned data.
func TestScriptNonCanonicalBase64Malformed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	s := scriptSamples()["ps1-utf8"]
	for n := 0; n < 3; n++ {
		// A byte or two after the PKCS#7 makes the base64 end in padding.
		s.trailing = make([]byte, n)
		signed := signScript(t, p, s)
		k := bytes.Index(signed, []byte("=\r\n# SIG # End"))
		if k < 0 {
			continue
		}
		for signed[k-1] == '=' {
			k--
		}
		const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		signed[k-1] = alpha[strings.IndexByte(alpha, signed[k-1])|1]
		res := verifyScript(t, s.kind, signed, scriptTrust(t, p))
		if res.Status == signing.StatusValid || !hasRule(res, RuleScriptMalformedSignature) {
			t.Fatalf("status %s findings %+v, want not valid with %s", res.Status, res.Findings, RuleScriptMalformedSignature)
		}
		return
	}
	t.Skip("no padded signature produced")
}

// rewrapScriptBlock returns the signed PowerShell script b with its
// block's base64 written in lines of the given widths in turn (0 is an
// empty line), then in lines of the last width until the base64 ends.
func rewrapScriptBlock(t *testing.T, b []byte, widths ...int) []byte {
	t.Helper()
	st, _ := ScriptPowerShell.style()
	begin, end := []byte(st.begin+"\r\n"), []byte(st.end)
	i, j := bytes.Index(b, begin), bytes.Index(b, end)
	if i < 0 || j < 0 {
		t.Fatal("no block")
	}
	b64 := blockBase64(b[i+len(begin) : j])
	var out bytes.Buffer
	out.Write(b[:i+len(begin)])
	for k := 0; k < len(widths) || len(b64) > 0; k++ {
		w := widths[min(k, len(widths)-1)]
		if w == 0 && k >= len(widths) {
			t.Fatal("base64 left after the widths")
		}
		w = min(w, len(b64))
		out.WriteString(st.prefix + b64[:w] + "\r\n")
		b64 = b64[w:]
	}
	out.Write(b[j:])
	return out.Bytes()
}

// blockBase64 returns the base64 of a PowerShell signature block's lines.
func blockBase64(lines []byte) string {
	st, _ := ScriptPowerShell.style()
	return strings.ReplaceAll(strings.ReplaceAll(string(lines), st.prefix, ""), "\r\n", "")
}

// findingSays reports whether a finding's message holds s.
func findingSays(res *Result, s string) bool {
	return slices.ContainsFunc(res.Findings, func(f signing.Finding) bool { return strings.Contains(f.Message, s) })
}

// TestAttackScriptBlockLineWidths spells data in the layout of the
// signature block's base64 lines: decoders join the lines whatever their
// widths, so 5000 empty "# " lines, or lines whose widths vary (a bit per
// line), passed as valid with no finding (osslsigncode accepts both), 20
// KB no digest covers. Signers write every line as wide as the first, the
// last one no wider.
func TestAttackScriptBlockLineWidths(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	s := scriptSamples()["ps1-utf8"]
	signed := signScript(t, p, s)
	end := []byte("# SIG # End signature block")
	k := bytes.Index(signed, end)
	begin := []byte("# SIG # Begin signature block\r\n")
	n := len(blockBase64(signed[bytes.Index(signed, begin)+len(begin) : k])) // 64 a line, the last shorter
	wider := append(slices.Repeat([]int{60}, n/60-1), n-60*(n/60-1))
	if wider[len(wider)-1] == 60 {
		wider = append(slices.Repeat([]int{62}, n/62-1), n-62*(n/62-1))
	}
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"empty-lines":    {bytes.Join([][]byte{signed[:k], []byte(strings.Repeat("# \r\n", 5000)), signed[k:]}, nil), "characters, the first 64"},
		"varying":        {rewrapScriptBlock(t, signed, 64, 63, 64, 64, 63, 63, 64), "line 2 holds 63 characters"},
		"empty-first":    {rewrapScriptBlock(t, signed, 0, 64), "line 2 holds 64 characters, the first 0"},
		"wider-last":     {rewrapScriptBlock(t, signed, wider...), fmt.Sprintf("the last base64 line holds %d characters, the others %d", wider[len(wider)-1], wider[0])},
		"trailing-empty": {rewrapScriptBlock(t, signed, slices.Concat(slices.Repeat([]int{64}, (n+63)/64), []int{0})...), "base64 line"},
	} {
		res := verifyScript(t, s.kind, c.b, trust)
		if res.Status == signing.StatusValid || !hasRule(res, RuleScriptMalformedSignature) || !findingSays(res, c.want) {
			t.Errorf("%s: status %s findings %+v, want not valid with %s %q", name, res.Status, res.Findings, RuleScriptMalformedSignature, c.want)
		}
	}
	// Any one width is as signers write: 64, 76 (MIME), or one line.
	for _, w := range []int{64, 76, 1 << 20} {
		b := rewrapScriptBlock(t, signed, w)
		if res := verifyScript(t, s.kind, b, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Errorf("width %d: status %s findings %+v, want valid", w, res.Status, res.Findings)
		}
	}
	if !bytes.Equal(rewrapScriptBlock(t, signed, 64), signed) {
		t.Error("rewrapScriptBlock does not rewrite the signer's layout as it was")
	}
}

// TestOsslsigncodePowerShellXML: a PowerShell XML file (.ps1xml, whose
// ScriptMethod and ScriptProperty blocks PowerShell runs; .cdxml, .psc1)
// is signed with the PowerShell subject interface package in XML comment
// lines. It was no script kind at all, so a tampered signed .ps1xml
// verified as nothing. osslsigncode signs it; we find the signature valid
// with osslsigncode's digest, and a changed byte, or a line after the
// block, fails both ways.
func TestOsslsigncodePowerShellXML(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	text := []byte("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\r\n<Types><Type><Name>System.String</Name><Members><ScriptMethod><Name>Run</Name><Script>Write-Host hi</Script></ScriptMethod></Members></Type></Types>\r\n")
	for _, ext := range []string{".ps1xml", ".cdxml", ".psc1"} {
		kind, ok := ScriptKindOf("types" + ext)
		if !ok || kind != ScriptPowerShellXML {
			t.Fatalf("%s: kind %v", ext, kind)
		}
		signed, out := e.sign(t, e.write("types"+ext, text), "signed"+ext)
		res := verifyScript(t, kind, signed, e.trust)
		if res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Fatalf("%s: status %s, findings %+v", ext, res.Status, res.Findings)
		}
		if want := osslDigests(t, e.tool, out); len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
			t.Errorf("%s: osslsigncode computes %v, we computed %s", ext, want, res.Signatures[0].Digest.Computed)
		}
		for name, bad := range map[string][]byte{
			"changed":  bytes.Replace(signed, []byte("Write-Host hi"), []byte("Write-Host ho"), 1),
			"appended": append(bytes.Clone(signed), "<!-- x -->\r\n"...),
		} {
			res := verifyScript(t, kind, bad, e.trust)
			if res.Status == signing.StatusValid || len(res.Findings) == 0 {
				t.Errorf("%s %s: status %s, findings %+v", ext, name, res.Status, res.Findings)
			}
			if name == "changed" {
				if o, err := e.verify(e.write("bad"+ext, bad)); err == nil {
					t.Errorf("%s: osslsigncode accepts the changed file:\n%s", ext, o)
				}
			}
		}
	}
}

// TestOsslsigncodeScriptContentAfterBlock records a disagreement:
// osslsigncode 2.9 hashes a PowerShell script's text before its signature
// block only and accepts code appended after the block, which PowerShell
// runs though no signature covers it; we report it
// (script/content-after-signature, an error) and the signature is not
// valid. Who is right: the appended bytes are not what the signer signed,
// so a gate must not pass them.
func TestOsslsigncodeScriptContentAfterBlock(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	signed, _ := e.sign(t, e.write("a.ps1", []byte("Write-Host hi\r\n")), "signed.ps1")
	evil := append(bytes.Clone(signed), "Invoke-Payload\r\n"...)
	out, err := e.verify(e.write("evil.ps1", evil))
	if err != nil {
		t.Logf("osslsigncode now refuses code after the block:\n%s", out)
	}
	res := verifyScript(t, ScriptPowerShell, evil, e.trust)
	if res.Status == signing.StatusValid || !hasRule(res, RuleScriptContentAfterSignature) {
		t.Errorf("status %s, findings %+v, want %s", res.Status, res.Findings, RuleScriptContentAfterSignature)
	}
}
