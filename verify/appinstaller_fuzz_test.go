package verify

import (
	"bytes"
	"testing"
)

// FuzzAppInstallerURIs reads hostile App Installer files: no panic, no
// empty Uri, and no more Uris than the file's text names.
func FuzzAppInstallerURIs(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?>
<AppInstaller xmlns="http://schemas.microsoft.com/appx/appinstaller/2018" Version="1.0.0.0" Uri="https://example.com/Acme.appinstaller">
  <MainPackage Name="Acme" Publisher="CN=Acme" Version="1.0.0.0" ProcessorArchitecture="x64" Uri="https://example.com/Acme.msix"/>
  <Dependencies><Package Name="VCLibs" Publisher="CN=Microsoft" Version="14.0" ProcessorArchitecture="x64" Uri="https://example.com/vclibs.appx"/></Dependencies>
  <OptionalPackages><Bundle Name="Extra" Uri="https://example.com/extra.msixbundle"/></OptionalPackages>
</AppInstaller>`))
	f.Add([]byte(`<MainBundle Uri="a" Uri="b"><x:Package x:Uri="&amp;c"/><Package Uri="&#x68;ttp://e/x"/><!-- <Package Uri="no"/> -->`))
	f.Add([]byte("\xff\xfe<\x00M\x00a\x00i\x00n\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		uris := appInstallerURIs(b)
		for _, u := range uris {
			if u == "" {
				t.Fatal("an empty Uri")
			}
		}
		if n := bytes.Count(b, []byte("Uri")); len(uris) > n {
			t.Fatalf("%d Uris from a file naming %d", len(uris), n)
		}
	})
}
