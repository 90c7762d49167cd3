// Package wixlfix builds MSI installers with msitools' wixl (Debian's
// wixl package), for the tests that cross-check shipgate's MSI, cabinet
// and Authenticode readers against an installer another tool made.
package wixlfix

import (
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// File is a file of the installer: ID is its key in the File (or Binary)
// table, Name its file name, Data its bytes.
type File struct {
	ID, Name string
	Data     []byte
}

// Spec describes an installer: product Version, the Files it installs
// into Program Files\Acme App (one component, the first file its key
// path, all in the embedded cabinet app.cab), and the Binaries its Binary
// table holds.
type Spec struct {
	Version  string
	Files    []File
	Binaries []File
}

// Build has wixl build the installer s describes and returns the path of
// the MSI, setup.msi alone in a folder of its own. It skips t when wixl is
// not installed.
func Build(t testing.TB, s Spec) string {
	t.Helper()
	wixl, err := exec.LookPath("wixl")
	if err != nil {
		t.Skip("wixl is not installed (apt-get install wixl); the cross-check against msitools was skipped")
	}
	src, out := t.TempDir(), t.TempDir()
	var files, bins strings.Builder
	for i, f := range s.Files {
		key := ""
		if i == 0 {
			key = ` KeyPath="yes"`
		}
		fmt.Fprintf(&files, "\n            <File Id=%s Name=%s Source=%s%s />", attr(f.ID), attr(f.Name), attr(f.Name), key)
	}
	for _, b := range s.Binaries {
		fmt.Fprintf(&bins, "\n    <Binary Id=%s SourceFile=%s />", attr(b.ID), attr(b.Name))
	}
	for _, f := range append(append([]File(nil), s.Files...), s.Binaries...) {
		if err := os.WriteFile(filepath.Join(src, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wxs := `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="12345678-1234-1234-1234-123456789013" Name="Test" Language="1033" Version=` + attr(s.Version) + ` Manufacturer="Acme" UpgradeCode="12345678-1234-1234-1234-123456789012">
    <Package InstallerVersion="200" Compressed="yes" />
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes" />` + bins.String() + `
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="Acme App">
          <Component Id="Main" Guid="11111111-2222-3333-4444-555555555555">` + files.String() + `
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="F" Level="1"><ComponentRef Id="Main" /></Feature>
  </Product>
</Wix>`
	if err := os.WriteFile(filepath.Join(src, "t.wxs"), []byte(wxs), 0o644); err != nil {
		t.Fatal(err)
	}
	msi := filepath.Join(out, "setup.msi")
	cmd := exec.Command(wixl, "-o", msi, "t.wxs")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wixl: %v: %s", err, b)
	}
	return msi
}

// attr is v as an XML attribute value, quoted.
func attr(v string) string { return `"` + html.EscapeString(v) + `"` }
