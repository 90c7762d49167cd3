package sbom

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/electronfix"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
)

// iexpressSetupOf returns an IExpress self-extractor whose cabinet holds
// spec's Windows release (names with backslashes, as a cabinet keeps
// them) and that runs run ("": none, as iexpress.exe writes "<None>").
func iexpressSetupOf(t *testing.T, s electronfix.Spec, run string) []byte {
	t.Helper()
	names, files := windowsFiles(t, s)
	var bf []cab.BuildFile
	for _, n := range names {
		bf = append(bf, cab.BuildFile{Name: strings.ReplaceAll(n, "/", `\`), Data: files[n]})
	}
	img, err := pefixtures.IExpressSetup(cab.Build(bf, cab.BuildOptions{Method: cab.MethodMSZIP}), run)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestInstallerIExpressInventory: an IExpress self-extractor's cabinet is
// opened: the application's DLLs are inventoried under the stub's path,
// and the command it runs is its one finding, a note.
func TestInstallerIExpressInventory(t *testing.T) {
	t.Parallel()
	inv := openRelease(t, writeFile(t, t.TempDir(), "setup.exe", iexpressSetupOf(t, electronfix.Clean(), "Chatterbox.exe --install")))
	checkInstalledApp(t, inv, "setup.exe")
	if binaryAt(inv, "setup.exe/ffmpeg.dll") == nil {
		t.Error("setup.exe/ffmpeg.dll is not inventoried")
	}
	if len(inv.Findings) != 1 || inv.Findings[0].Rule != container.RuleIExpressCommand || !strings.Contains(inv.Findings[0].Message, "Chatterbox.exe --install") {
		t.Errorf("findings %+v", inv.Findings)
	}
}

// TestDiffInstallerIExpress is TestDiffInstallerNSIS for two IExpress
// self-extractors: ffmpeg.dll changed inside the cabinet is found.
func TestDiffInstallerIExpress(t *testing.T) {
	t.Parallel()
	diffInstallers(t, "setup-1.4.0.exe", iexpressSetupOf(t, electronfix.Clean(), ""), "setup-1.4.1.exe", iexpressSetupOf(t, electronfix.Trojanized(), ""), "setup-1.4.1.exe/")
}
