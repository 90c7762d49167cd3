package authenticode

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestOsslsigncodeWixlMSI signs an MSI that msitools' wixl wrote (a
// database of a few hundred KB, with its FAT, mini FAT and directory laid
// out by libgsf rather than our fixture builder) with osslsigncode, with
// and without MsiDigitalSignatureEx: each is valid with no finding but the
// note, so the compound file checks (table slack, free sectors, empty
// streams and storages, streams the database does not refer to) take
// nothing these writers leave for data.
func TestOsslsigncodeWixlMSI(t *testing.T) {
	wixl, err := exec.LookPath("wixl")
	if err != nil {
		t.Skip("wixl is not installed (apt-get install wixl); the cross-check of its MSIs was skipped")
	}
	e := newOsslEnv(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.dll"), []byte("MZ app"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.dll"), bytes.Repeat([]byte("MZ big dll bytes that compress "), 10000), 0o644)
	wxs := `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="12345678-1234-1234-1234-123456789013" Name="Test" Language="1033" Version="1.0.0" Manufacturer="Acme" UpgradeCode="12345678-1234-1234-1234-123456789012">
    <Package InstallerVersion="200" Compressed="yes" />
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Acme App">
          <Component Id="Main" Guid="11111111-2222-3333-4444-555555555555">
            <File Id="AppDll" Name="app.dll" Source="app.dll" KeyPath="yes" />
            <File Id="BigDll" Name="big.dll" Source="big.dll" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="F" Level="1"><ComponentRef Id="Main" /></Feature>
  </Product>
</Wix>`
	os.WriteFile(filepath.Join(dir, "t.wxs"), []byte(wxs), 0o644)
	cmd := exec.Command(wixl, "-o", "t.msi", "t.wxs")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wixl: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "t.msi"))
	if err != nil {
		t.Fatal(err)
	}
	in := e.write("wixl.msi", b)
	for name, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
		signed, _ := e.sign(t, in, "wixl-"+name+".msi", args...)
		// The database opens, so its streams' references are checked.
		if f := openMSI(t, signed); name == "plain" {
			if _, ok := msiUnreferenced(f, f.Root()); !ok {
				t.Errorf("%s: the database does not open, so no stream's reference was checked", name)
			}
		}
		if res := verifyMSI(t, signed, e.trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}
