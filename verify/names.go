package verify

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// ruleWindowsAlias reports a file whose name Windows rewrites when it
// creates or opens it.
const ruleWindowsAlias = "file/windows-alias"

// windowsName returns the "/"-separated path p as Win32 resolves it: each
// element loses an NTFS stream suffix (":stream" or "::$DATA") and its
// trailing dots and spaces. "app.exe.", "app.exe " and "app.exe::$DATA" all
// open app.exe. A NUL byte ends an element too, as it ends the name an
// extractor written in C passes to the file system.
func windowsName(p string) string {
	els := strings.Split(p, "/")
	for i, el := range els {
		if j := strings.IndexAny(el, ":\x00"); j >= 0 {
			el = el[:j]
		}
		els[i] = strings.TrimRight(el, ". ")
	}
	return strings.Join(els, "/")
}

// checkWindowsAlias reports native code and asar archives whose path is not
// the one Windows installs them under. The policy's rules match the path as
// it is in the release, so "app.exe." would escape a rule for "*.exe" (a
// signer requirement, say) and still be installed as app.exe by an
// extractor or installer running on Windows.
func (c *check) checkWindowsAlias() {
	if !c.f.Kind.Native() && c.f.Kind != KindAsar {
		return
	}
	w := windowsName(c.f.Path)
	if w == c.f.Path {
		return
	}
	c.add(ruleWindowsAlias, signing.SeverityError, fmt.Sprintf("%s file's name %q is %q on Windows (trailing dots and spaces, NTFS stream suffixes and what follows a NUL are dropped), so policy rules matched a name it is not installed under", c.f.Kind, c.f.Path, w))
}
