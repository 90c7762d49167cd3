package verify

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// TestAttackAppInstallerUnread: an App Installer file whose XML Go's
// reader stopped at passed the gate with no word, though Windows' XML
// reader takes it and App Installer downloads what it names: one in
// UTF-16 (as Notepad and PowerShell's Out-File write it), one whose
// declaration names an encoding Go does not know, and one whose package
// lies past the first MiB read. Each is msix/app-installer-download now.
func TestAttackAppInstallerUnread(t *testing.T) {
	t.Parallel()
	body := `<AppInstaller xmlns="http://schemas.microsoft.com/appx/appinstaller/2018" Version="1.0.0.0" Uri="https://example.com/Acme.appinstaller">
  <MainBundle Name="Acme.App" Publisher="CN=Acme" Version="1.0.0.0" Uri="https://example.com/Acme.msixbundle" />
</AppInstaller>`
	wide := func(s string, be bool) []byte {
		out := []byte{0xff, 0xfe}
		if be {
			out = []byte{0xfe, 0xff}
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if be {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out
	}
	cases := map[string][]byte{
		"utf16le.appinstaller": wide(`<?xml version="1.0" encoding="utf-16"?>`+"\n"+body, false),
		"utf16be.appinstaller": wide(`<?xml version="1.0" encoding="utf-16"?>`+"\n"+body, true),
		"ascii.appinstaller":   []byte(`<?xml version="1.0" encoding="us-ascii"?>` + "\n" + body),
		"bom.appinstaller":     []byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n" + body),
		"padded.appinstaller":  []byte("<!--" + strings.Repeat(" ", maxAppInstaller) + "-->\n" + body),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{name: data})
			mustFail(t, Options{}, name, RuleAppInstallerDownload, dir)
		})
	}
}

// TestAppInstallerURIsEncodings: the package URIs are read from UTF-16
// and from a declaration naming any encoding.
func TestAppInstallerURIsEncodings(t *testing.T) {
	t.Parallel()
	const doc = `<?xml version="1.0" encoding="UTF-16"?><AppInstaller><MainPackage Uri="https://e.example/a.msix"/></AppInstaller>`
	var le []byte
	for _, u := range utf16.Encode([]rune(doc)) {
		le = append(le, byte(u), byte(u>>8))
	}
	for name, b := range map[string][]byte{"le-no-bom": le, "le-bom": append([]byte{0xff, 0xfe}, le...), "latin1": []byte(strings.Replace(doc, "UTF-16", "ISO-8859-1", 1))} {
		if got := appInstallerURIs(b); len(got) != 1 || got[0] != "https://e.example/a.msix" {
			t.Errorf("%s: URIs %q", name, got)
		}
	}
}
