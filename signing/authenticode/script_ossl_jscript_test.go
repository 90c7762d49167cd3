package authenticode

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// osslsigncodeEnvVar names an osslsigncode build the .js cross-check runs
// instead of the one on PATH (Debian 12's osslsigncode cannot sign .js:
// testdata/osslsigncode/build.sh builds a newer one from Debian's source).
const osslsigncodeEnvVar = "SHIPGATE_OSSLSIGNCODE"

var osslVersionRE = regexp.MustCompile(`^osslsigncode (\d+)\.(\d+)`)

// osslsigncodeVersion runs tool --version and returns its major and
// minor version; ok is false when the output names none.
func osslsigncodeVersion(tool string) (major, minor int, ok bool) {
	out, _ := exec.Command(tool, "--version").CombinedOutput()
	m := osslVersionRE.FindSubmatch(bytes.TrimSpace(out))
	if m == nil {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(string(m[1]))
	minor, _ = strconv.Atoi(string(m[2]))
	return major, minor, true
}

// newOsslJSEnv is newOsslEnv with an osslsigncode that signs .js files
// (2.10 or later): $SHIPGATE_OSSLSIGNCODE when set, else the one on PATH.
// It skips t, saying why, when there is none.
func newOsslJSEnv(t *testing.T) *osslEnv {
	t.Helper()
	tool := os.Getenv(osslsigncodeEnvVar)
	if tool == "" {
		var err error
		if tool, err = exec.LookPath("osslsigncode"); err != nil {
			t.Skipf("osslsigncode not installed (nor %s set); skipping the .js cross-check", osslsigncodeEnvVar)
		}
	}
	major, minor, ok := osslsigncodeVersion(tool)
	if !ok || major < 2 || major == 2 && minor < 10 {
		t.Skipf("%s is osslsigncode %d.%d, which cannot sign .js (2.10 added it); set %s to a newer build (testdata/osslsigncode/build.sh makes one) to run the .js cross-check",
			tool, major, minor, osslsigncodeEnvVar)
	}
	e := newOsslEnv(t)
	e.tool = tool
	return e
}

var osslCurrentRE = regexp.MustCompile(`(?m)^Current message digest\s*:\s*([0-9A-Fa-f]+)`)

// TestOsslsigncodeJScript cross-checks JScript (.js) signatures with
// osslsigncode 2.10 or later, and shows where the two disagree and why
// shipgate is right.
//
// osslsigncode signs a .js as it signs a .ps1 (script.c in 2.10-2.14): the
// block is in "// SIG // " lines, but the SpcSipInfo names PowerShell's
// subject interface package and the digest is PowerShell's: the UTF-16LE
// text, its byte order mark included, a BOM-less file read as UTF-8, and
// nothing after it. Windows picks
// a .js's SIP by its extension: the Windows Script Host's JScript SIP
// (wshext.dll), whose digest appends the count of UTF-16 code units as a
// little-endian uint32 (Jsign's WSHScript.computeDigest, whose .js
// signatures Windows accepts) and whose GUID the SpcSipInfo must name. So
// Windows finds osslsigncode's .js signature bad (signtool: 0x80096010,
// "The digital signature of the object did not verify"; osslsigncode
// issues #461 and #472, the latter closed with Jsign as the way that
// works) and shipgate must not pass it; osslsigncode, computing its own
// digest, accepts it. Conversely a .js signed the Windows way (our
// signScript, laid out as signtool and Jsign lay it out) passes shipgate
// and fails osslsigncode's verify, whose digest lacks the length. A
// tampered .js fails both.
func TestOsslsigncodeJScript(t *testing.T) {
	t.Parallel()
	e := newOsslJSEnv(t)
	const text = "var s = new ActiveXObject(\"WScript.Shell\");\r\nWScript.Echo(\"hello\");\r\n"
	for name, content := range map[string][]byte{"ascii": []byte(text), "utf16": utf16LE(text)} {
		t.Run(name, func(t *testing.T) {
			signed, out := e.sign(t, e.write(name+".js", content), name+"-signed.js")
			if !bytes.Contains(signed, encodeASCII("// SIG // Begin signature block", encodingOf(content))) {
				t.Fatalf("osslsigncode wrote no JScript block:\n%q", signed)
			}
			if o, err := e.verify(out); err != nil {
				t.Fatalf("osslsigncode rejects its own .js signature: %v\n%s", err, o)
			}
			// Who is right: the digest osslsigncode signs is PowerShell's,
			// not the JScript SIP's.
			psDigest := hex.EncodeToString(refScriptDigest(crypto.SHA256, decodeScript(ScriptPowerShell, content), false))
			wshDigest := hex.EncodeToString(refScriptDigest(crypto.SHA256, decodeScript(ScriptJScript, content), true))
			o, _ := e.verify(out)
			m := osslCurrentRE.FindStringSubmatch(o)
			if m == nil || strings.ToLower(m[1]) != psDigest {
				t.Fatalf("osslsigncode signed digest %v, want PowerShell's %s (the JScript SIP's is %s)", m, psDigest, wshDigest)
			}
			res := verifyScript(t, ScriptJScript, signed, e.trust)
			if res.Status == signing.StatusValid || !hasRule(res, RuleScriptMalformedSignature) {
				t.Fatalf("osslsigncode's .js: status %s, want not valid with %s (PowerShell's SIP on a .js); findings %+v", res.Status, RuleScriptMalformedSignature, res.Findings)
			}
			if !hasFailedCheck(res, CheckSIP) {
				t.Errorf("no failed %s check: %+v", CheckSIP, res.Signatures)
			}
			if got := res.Authentihash["sha256"]; got != wshDigest {
				t.Errorf("our JScript digest %s, want the WSH SIP's %s", got, wshDigest)
			}

			// The Windows layout: we accept it, osslsigncode does not.
			win := signScript(t, e.p, scriptSpec{kind: ScriptJScript, content: content})
			if res := verifyScript(t, ScriptJScript, win, e.trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
				t.Fatalf("Windows-style .js: status %s, want valid; findings %+v", res.Status, res.Findings)
			}
			winPath := e.write(name+"-windows.js", win)
			if o, err := e.verify(winPath); err == nil {
				t.Errorf("osslsigncode now accepts a Windows-style .js signature: drop its entry from the doc comment\n%s", o)
			} else if got := osslDigests(t, e.tool, winPath); len(got) != 1 || got[0] != psDigest {
				t.Errorf("osslsigncode computes %v on the Windows-style .js, want PowerShell's digest %s", got, psDigest)
			}

			// Tampered: both reject it.
			bad := bytes.Replace(signed, encodeASCII("hello", encodingOf(content)), encodeASCII("HELLO", encodingOf(content)), 1)
			if o, err := e.verify(e.write(name+"-bad.js", bad)); err == nil {
				t.Errorf("osslsigncode accepts the tampered .js:\n%s", o)
			}
			if res := verifyScript(t, ScriptJScript, bad, e.trust); res.Status == signing.StatusValid {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
			badWin := bytes.Replace(win, encodeASCII("hello", encodingOf(content)), encodeASCII("HELLO", encodingOf(content)), 1)
			if res := verifyScript(t, ScriptJScript, badWin, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleScriptDigestMismatch) {
				t.Errorf("tampered Windows-style: status %s findings %+v", res.Status, res.Findings)
			}
		})
	}
}

// hasFailedCheck reports whether a signature of res has a failed check
// named name.
func hasFailedCheck(res *Result, name signing.CheckName) bool {
	for _, s := range res.Signatures {
		for _, c := range s.Checks {
			if c.Name == name && !c.OK {
				return true
			}
		}
	}
	return false
}
