package sbom

import (
	"fmt"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// TestAttackSBOMSevenZipSFX: a 7-Zip self-extractor (a PE, the SFX
// module's configuration, then a 7-Zip archive) runs the files of its
// archive; the inventory listed the PE alone. Its files are listed under
// the PE's path, as verify checks them.
func TestAttackSBOMSevenZipSFX(t *testing.T) {
	t.Parallel()
	app := peImage(t, "app")
	img := append(peImage(t, "stub"), ";!@Install@!UTF-8!\r\nRunProgram=\"app.exe\"\r\n;!@InstallEnd@!"...)
	img = append(img, sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: app}})...)
	inv := openRelease(t, writeFile(t, t.TempDir(), "setup.exe", img))
	if b := binaryAt(inv, "setup.exe/app.exe"); b == nil || b.SHA256 != sum(app) {
		t.Errorf("setup.exe/app.exe: %+v", b)
	}
	if b := binaryAt(inv, "setup.exe"); b == nil {
		t.Error("setup.exe is not listed")
	}
}

// TestAttackSBOMBurnAttachedCabinets: a WiX Burn bundle's attached
// containers, cabinets after its sections, hold the packages it installs;
// the inventory listed the PE alone.
func TestAttackSBOMBurnAttachedCabinets(t *testing.T) {
	t.Parallel()
	msiLike, stub := peImage(t, "payload"), peImage(t, "")
	ux := cab.Build([]cab.BuildFile{{Name: "u0", Data: peImage(t, "ba")}}, cab.BuildOptions{})
	img := append(append(append([]byte(nil), stub...), ux...), cab.Build([]cab.BuildFile{{Name: "a0", Data: msiLike}}, cab.BuildOptions{})...)
	inv := openRelease(t, writeFile(t, t.TempDir(), "bundle.exe", img))
	p := fmt.Sprintf("bundle.exe/$ATTACHED/%d/a0", len(stub)+len(ux))
	if b := binaryAt(inv, p); b == nil || b.SHA256 != sum(msiLike) {
		t.Errorf("%s: %+v", p, b)
	}
}
