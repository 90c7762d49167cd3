package sbom

import (
	"bytes"
	"slices"

	"github.com/shipgate/shipgate/internal/electronfix"
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
	t.Parallel()
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
	t.Parallel()
	n := versionFileBase("30.1.3", "f2")
	n.Binaries[0].SHA256, n.Files[0].SHA256, n.Binaries[0].Version = "e2", "e2", "1.0.1"
	got := strings.Join(findingKeys(Diff(versionFileBase("30.1.2", "f1"), n).Findings), "\n")
	if got != "note diff/electron-version " {
		t.Errorf("findings:\n%s\nwant only the version note", got)
	}
}

// TestAttackElectronVersionFileBumpedRelease: the attack on generated
// releases: 1.4.1 with a trojanized ffmpeg.dll and its version file saying
// 30.1.3, the executable still Electron 30.1.2 by its own string. The
// inventory takes the executable's word (and warns about the version
// file), so ffmpeg.dll changed under the same Electron version; on macOS,
// where every build re-signs the framework binary (so its bytes change),
// the same holds through the framework's Info.plist.
func TestAttackElectronVersionFileBumpedRelease(t *testing.T) {
	t.Parallel()
	old := rtWindows(t, "1.4.0")
	n := rtRelease(t, electronfix.Windows, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true}, "win1.4.1-trojan")
	n.Files["version"] = []byte("30.1.3")
	got := strings.Join(rtDiff(t, old, n), "\n")
	if !strings.Contains(got, "error diff/changed-same-version ffmpeg.dll") {
		t.Errorf("findings:\n%s\nwant an error on ffmpeg.dll", got)
	}
	p, err := n.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Electron.Version != "30.1.2" || !slices.Contains(findingKeys(inv.Findings), "warning electron/version-mismatch version") {
		t.Errorf("electron %s, findings %v", inv.Electron.Version, findingKeys(inv.Findings))
	}
	// The version file of a clean release agrees: no finding.
	p, err = rtWindows(t, "1.4.0").Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = Open(p, Options{}); err != nil {
		t.Fatal(err)
	}
	if inv.Electron.VersionSource != "version file" || slices.ContainsFunc(inv.Findings, func(f signing.Finding) bool { return f.Rule == RuleElectronVersionMismatch }) {
		t.Errorf("clean: electron from %s, findings %v", inv.Electron.VersionSource, findingKeys(inv.Findings))
	}
}

// TestAttackElectronFrameworkPlistBumped: the macOS form, through the
// Electron Framework's Info.plist.
func TestAttackElectronFrameworkPlistBumped(t *testing.T) {
	t.Parallel()
	const plist = "Contents/Frameworks/Electron Framework.framework/Versions/A/Resources/Info.plist"
	old := rtRelease(t, electronfix.MacOS, electronfix.Spec{}, "mac1.4.0")
	n := rtRelease(t, electronfix.MacOS, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true}, "mac1.4.1-trojan")
	n.Files[plist] = bytes.ReplaceAll(n.Files[plist], []byte("30.1.2"), []byte("30.1.3"))
	// Re-signing (every macOS build) changes the framework binary's bytes.
	const fw = "Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework"
	n.Files[fw] = append(slices.Clone(n.Files[fw]), "resigned"...)
	got := strings.Join(rtDiff(t, old, n), "\n")
	if !strings.Contains(got, "error diff/changed-same-version Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib") {
		t.Errorf("findings:\n%s\nwant an error on libffmpeg.dylib", got)
	}
}

// TestAttackElectronVersionFileBumpedWithDecoy: the same, with a fuse
// wire and an "Electron/30.1.3" string appended to ffmpeg.dll, which sorts
// before the executable (slack.exe): one binary with a wire agreeing with
// the version file does not outvote the executable.
func TestAttackElectronVersionFileBumpedWithDecoy(t *testing.T) {
	t.Parallel()
	old := rtWindows(t, "1.4.0")
	old.Files["slack.exe"] = old.Files["Chatterbox.exe"]
	delete(old.Files, "Chatterbox.exe")
	n := rtRelease(t, electronfix.Windows, electronfix.Spec{AppVersion: "1.4.1", TrojanFFmpeg: true}, "win1.4.1-trojan")
	n.Files["slack.exe"] = n.Files["Chatterbox.exe"]
	delete(n.Files, "Chatterbox.exe")
	n.Files["version"] = []byte("30.1.3")
	n.Files["ffmpeg.dll"] = append(append(slices.Clone(n.Files["ffmpeg.dll"]), "Electron/30.1.3\x00"...), electronfix.FuseWire("010011001")...)
	got := strings.Join(rtDiff(t, old, n), "\n")
	if !strings.Contains(got, "error diff/changed-same-version ffmpeg.dll") {
		t.Errorf("findings:\n%s\nwant an error on ffmpeg.dll", got)
	}
}
