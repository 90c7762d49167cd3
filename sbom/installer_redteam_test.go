package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
)

// gapSetup is nsisSetup with 512 zero bytes between the stub's sections
// and the NSIS data: exehead scans the whole file for its firstheader,
// so the installer runs as one without the gap.
func gapSetup(t *testing.T, s electronfix.Spec, o nsis.BuildOptions) []byte {
	names, files := windowsFiles(t, s)
	var bf []nsis.BuildFile
	for _, n := range names {
		bf = append(bf, nsis.BuildFile{Name: `$INSTDIR\` + n, Data: files[n]})
	}
	img := nsis.Stub(peImage(t, ""), make([]byte, 512))
	return nsis.Stub(img, nsis.Build(bf, o))
}

// TestDiffInstallerNSISDataAfterGap: NSIS data that does not start right
// where the stub's sections end is still found, so that the diff of two
// such installers sees the trojanized DLL inside rather than one opaque
// file whose hash changed.
func TestDiffInstallerNSISDataAfterGap(t *testing.T) {
	o := nsis.BuildOptions{Deflate: true, Solid: true}
	diffInstallers(t, "acme-1.4.0-setup.exe", gapSetup(t, electronfix.Clean(), o), "acme-1.4.1-setup.exe", gapSetup(t, electronfix.Trojanized(), o), "acme-1.4.1-setup.exe/$INSTDIR/")
}
