package sbom

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// versionFileBase is caseBase with the executable that carries the fuse
// wire (and Electron's code), at Electron version v as its version file
// declares it.
func versionFileBase(v, ffmpeg string) *Inventory {
	inv := caseBase()
	inv.Electron.Version = v
	inv.Electron.VersionSource = "version file"
	inv.Electron.Fuses = []FuseWire{{Path: "a.exe", Arch: "x64", Wire: "1101"}}
	inv.Binaries = append([]Binary{{Path: "a.exe", SHA256: "e1", Kind: KindPE, Version: "1.0.0", Signature: signed(signing.StatusValid, "CN=Vendor")}}, inv.Binaries...)
	inv.Binaries[1].SHA256, inv.Binaries[1].Version = ffmpeg, v
	inv.Files = []File{
		{Path: "a.exe", SHA256: "e1", Component: "electron", Version: v},
		{Path: "ffmpeg.dll", SHA256: ffmpeg, Component: "electron", Version: v},
		{Path: "icudtl.dat", SHA256: "i1", Component: "electron", Version: v},
		{Path: "version", SHA256: "v-" + v, Component: "electron", Version: v},
	}
	return inv
}

// TestAttackElectronVersionFileBumped: Electron's version on Windows is
// read from the "version" text file beside the executable, which anyone
// who can swap ffmpeg.dll can edit too. ffmpeg.dll trojanized (no version
// resource of its own, so it takes the runtime's) with "version" edited
// from 30.1.2 to 30.1.3 was a note (Electron 30.1.2 → 30.1.3) and nothing
// else, although the executable holding Electron's code (and its fuse
// wire) is byte for byte the old one: the runtime was not upgraded, so its
// files (the version file among them) changed under the same version.
func TestAttackElectronVersionFileBumped(t *testing.T) {
	d := Diff(versionFileBase("30.1.2", "f1"), versionFileBase("30.1.3", "f2"))
	got := strings.Join(findingKeys(d.Findings), "\n")
	want := "error diff/changed-same-version ffmpeg.dll\nerror diff/changed-same-version version\nnote diff/electron-version "
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	// icudtl.dat, a runtime file that is not a binary, is held the same.
	n := versionFileBase("30.1.3", "f1")
	n.Files[2].SHA256 = "i2"
	got = strings.Join(findingKeys(Diff(versionFileBase("30.1.2", "f1"), n).Findings), "\n")
	if want := "error diff/changed-same-version icudtl.dat\nerror diff/changed-same-version version\nnote diff/electron-version "; got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

// TestElectronUpgradeChangesRuntime: a real Electron upgrade rebuilds the
// executable: its runtime files changing with it are no finding but the
// note on the version.
func TestElectronUpgradeChangesRuntime(t *testing.T) {
	n := versionFileBase("30.1.3", "f2")
	n.Binaries[0].SHA256, n.Files[0].SHA256, n.Binaries[0].Version = "e2", "e2", "1.0.1"
	got := strings.Join(findingKeys(Diff(versionFileBase("30.1.2", "f1"), n).Findings), "\n")
	if got != "note diff/electron-version " {
		t.Errorf("findings:\n%s\nwant only the version note", got)
	}
}
