package sbom

import (
	"testing"

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
