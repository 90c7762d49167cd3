package verify

import "testing"

// TestAttackAppInstallerDownload: an App Installer file is all a
// release needs to install an MSIX package: Windows' App Installer
// downloads the package (and its dependencies) from the URIs it names.
// The gate passed such a release, a text file it had nothing to say
// about, though the app it installs was never in it.
func TestAttackAppInstallerDownload(t *testing.T) {
	t.Parallel()
	const file = `<?xml version="1.0" encoding="utf-8"?>
<AppInstaller xmlns="http://schemas.microsoft.com/appx/appinstaller/2018" Version="1.0.0.0" Uri="https://example.com/Acme.appinstaller">
  <MainBundle Name="Acme.App" Publisher="CN=Acme" Version="1.0.0.0" Uri="https://example.com/Acme.msixbundle" />
  <Dependencies>
    <Package Name="Microsoft.VCLibs.140.00" Publisher="CN=Microsoft Corporation" Version="14.0.0.0" ProcessorArchitecture="x64" Uri="https://example.com/VCLibs.appx" />
  </Dependencies>
  <UpdateSettings><OnLaunch HoursBetweenUpdateChecks="0" /></UpdateSettings>
</AppInstaller>`
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Acme.appinstaller": []byte(file), "notes.xml": []byte(file)})
	mustFail(t, Options{}, "Acme.appinstaller", RuleAppInstallerDownload, dir)
	r := run(t, Options{}, dir)
	if got := rulesFor(r, "notes.xml"); len(got) != 0 {
		t.Errorf("notes.xml: %q", got)
	}
}
