package verify

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/pefile"
)

// TestOsslsigncodeCatalogMSIAndScript cross-checks catalog-signed MSI and
// PowerShell files with osslsigncode: a catalog listing an unsigned MSI
// and an unsigned script by their flat SHA-256 makes both valid for us
// (`require: valid` passes) and for osslsigncode verify -catalog; a copy
// one byte longer is found by neither.
//
// osslsigncode 2.9 looks MSI databases and scripts up by their flat digest
// only, as CryptSIPRetrieveSubjectGuidForCatalogFile's documentation says
// Windows does (PE, cabinet and flat subject interface packages); this
// package also finds them by their Authenticode digest, which this test
// does not cover.
func TestOsslsigncodeCatalogMSIAndScript(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode is not installed; the catalog cross-check was skipped")
	}
	f := getFixtures(t)
	files := map[string][]byte{
		"setup.msi":   cfb.Build(&cfb.Node{CLSID: [16]byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}, Children: []*cfb.Node{{Name: "table", Data: []byte("installer table data")}}}),
		"install.ps1": []byte("Write-Host unsigned\r\n"),
	}
	var members []pefile.CatalogMember
	for _, name := range []string{"install.ps1", "setup.msi"} {
		d := sha256.Sum256(files[name])
		members = append(members, pefile.CatalogMember{Flat: true, Digest: d[:], Name: name})
	}
	ext, dir, bad := t.TempDir(), t.TempDir(), t.TempDir()
	cat := filepath.Join(ext, "vendor.cat")
	writeTree(t, ext, map[string][]byte{"vendor.cat": signedCatalog(t, nil, members...), "root.pem": f.winRoot.PEM()})
	writeTree(t, dir, files)
	tampered := map[string][]byte{}
	for name, b := range files {
		tampered[name] = append(bytes.Clone(b), 0)
	}
	writeTree(t, bad, tampered)
	ossl := func(path string) error {
		out, err := exec.Command(tool, "verify", "-CAfile", filepath.Join(ext, "root.pem"), "-ignore-cdp", "-time", fmt.Sprint(checkTime.Unix()),
			"-catalog", cat, "-in", path).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w\n%s", err, out)
		}
		return nil
	}
	r := run(t, Options{Policy: requireValid(), Catalogs: []string{cat}}, dir)
	rb := run(t, Options{Policy: requireValid(), Catalogs: []string{cat}}, bad)
	for name := range files {
		if !catalogSigned(r, name, "vendor.cat") {
			t.Errorf("%s: %+v, want signed by the catalog", name, fileByPath(r, name))
		}
		if err := ossl(filepath.Join(dir, name)); err != nil {
			t.Errorf("osslsigncode does not find %s in the catalog: %v", name, err)
		}
		if fb := fileByPath(rb, name); fb == nil || len(fb.Signatures) != 0 {
			t.Errorf("tampered %s: %+v, want no signature", name, fb)
		}
		if err := ossl(filepath.Join(bad, name)); err == nil {
			t.Errorf("osslsigncode finds the tampered %s in the catalog", name)
		}
	}
	if !r.Summary.Passed || rb.Summary.Passed {
		t.Errorf("gate: %v with the members, %v with tampered copies", r.Summary.Passed, rb.Summary.Passed)
	}
}
