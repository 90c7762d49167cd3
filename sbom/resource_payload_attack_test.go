package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackSBOMResourceMSI: an MSI wrapper keeps the MSI it hands to
// msiexec as a resource; the inventory listed the PE alone. The MSI's
// files are listed under the resource's path, as verify checks them.
func TestAttackSBOMResourceMSI(t *testing.T) {
	t.Parallel()
	app := peImage(t, "app")
	db := cfb.Build(msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"app.exe": app}}))
	img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, ID: 1, Data: db}})
	if err != nil {
		t.Fatal(err)
	}
	inv := openRelease(t, writeFile(t, t.TempDir(), "wrapper.exe", img))
	if b := binaryAt(inv, "wrapper.exe/$RSRC/10/1/1033/app.cab/app.exe"); b == nil || b.SHA256 != sum(app) {
		t.Errorf("the MSI's app.exe: %+v", b)
		for _, x := range inv.Binaries {
			t.Log(x.Path)
		}
	}
}
