package sbom

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
)

// Red team: an NSIS installer whose last data block, stored, is a plain
// zip (no self-extractor): its end record ends the file, where an
// appended zip is looked for, and verify opens it as the installer's
// (Setup.exe/app/ffmpeg.dll is checked), as any reader of Setup.exe as a
// zip does. sbom passed over every record inside the NSIS data, though
// only a stored self-extractor's zip is listed under its own path (a zip
// inside an installer stays one file), so the DLL was listed nowhere and
// diff could not see it change without a version change.
func TestAttackNSISStoredZipBlockEndsFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "Setup.exe")
	files := []nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: versionedDLL(t, "2.0.0.0", "b")}, {Name: `$PLUGINSDIR\payload.zip`, Data: zipBytes(t, sfxPayload(t, "1.0.0.0", "a"))}}
	if err := os.WriteFile(p, nsis.Stub(peImage(t, ""), nsis.Build(files, nsis.BuildOptions{})), 0o644); err != nil {
		t.Fatal(err)
	}
	wantSFXContents(t, openInv(t, p), "Setup.exe")
}
