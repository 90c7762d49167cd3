package sbom

import (
	"context"
	"encoding/binary"
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
	t.Parallel()
	o := nsis.BuildOptions{Deflate: true, Solid: true}
	diffInstallers(t, "acme-1.4.0-setup.exe", gapSetup(t, electronfix.Clean(), o), "acme-1.4.1-setup.exe", gapSetup(t, electronfix.Trojanized(), o), "acme-1.4.1-setup.exe/$INSTDIR/")
}

// lzmaFilteredData is NSIS data compressed with LZMA behind filter
// flag 2, which NSIS does not define and shipgate does not decode.
func lzmaFilteredData() []byte {
	le := binary.LittleEndian
	d := nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.dll`, Data: []byte("MZ not really")}}, nsis.BuildOptions{Deflate: true, LZMA: true, X86: true})
	hl := le.Uint32(d[28:]) &^ 0x80000000
	d[28+4+hl+4] = 2 // the data block's filter flag: one NSIS does not define
	return d
}

// TestDiffInstallerNewNotDecoded: when the new installer's data cannot be
// decoded (LZMA behind an unknown filter flag) while the old one's was read, the
// diff cannot compare what they install: its gate fails rather than
// passing an installer whose files it never saw.
func TestDiffInstallerNewNotDecoded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := writeFile(t, dir, "acme-1.4.0-setup.exe", nsisSetup(t, electronfix.Clean(), nsis.BuildOptions{Deflate: true}))
	new := writeFile(t, dir, "acme-1.4.1-setup.exe", nsis.Stub(peImage(t, ""), lzmaFilteredData()))
	rep, err := DiffReleases(context.Background(), old, new, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Passed {
		t.Errorf("the diff passed an installer it could not open: %q", findingKeys(rep.Findings))
	}
}
