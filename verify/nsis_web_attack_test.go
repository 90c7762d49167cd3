package verify

import (
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackNSISWebInstaller builds, with makensis, a signed web installer
// as electron-builder's nsis-web lays one out: it carries a signed DLL and
// a download plugin (NSIS's NSISdl here; nsis-web uses inetc, not in
// Debian's nsis) that fetches the app's package.7z into $PLUGINSDIR while it
// installs. The gate passed it, although the app it installs was never
// checked; it now fails with nsis/download at the installer, and the
// installer's own files are still checked. Lowering the rule to a warning
// passes it.
func TestAttackNSISWebInstaller(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	script := "Unicode true\nSetCompressor /SOLID lzma\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\n" +
		"Section\nInitPluginsDir\nSetOutPath \"$INSTDIR\"\nFile app.dll\n" +
		"NSISdl::download \"https://downloads.example/acme/app-64.7z\" \"$PLUGINSDIR\\package.7z\"\nPop $0\nSectionEnd\n"
	in := makensisScript(t, script, map[string][]byte{"app.dll": f.peValid})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, in)})
	r := mustFail(t, Options{}, "setup.exe", RuleNSISDownload, dir)
	if fi := fileByPath(r, nsisApp); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("%s not checked: %+v", nsisApp, fi)
	}
	if fileByPath(r, "setup.exe/$PLUGINSDIR/NSISdl.dll") == nil {
		t.Error("the plugin DLL is not in the report")
	}
	lowered := &Policy{Severity: map[string]string{string(RuleNSISDownload): "warning"}}
	if r := run(t, Options{Policy: lowered}, dir); !r.Summary.Passed {
		t.Errorf("severity {nsis/download: warning} still fails: %v", r.Findings)
	}
}
