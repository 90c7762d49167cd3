package sbom

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// caseBase is a Windows release with ffmpeg.dll and icudtl.dat of the
// Electron runtime.
func caseBase() *Inventory {
	return &Inventory{
		Layout:   LayoutWindows,
		App:      App{Name: "a", Version: "1.0.0", Digest: "d1"},
		Electron: Electron{Version: "30.1.2"},
		Binaries: []Binary{{Path: "ffmpeg.dll", SHA256: "f1", Kind: KindPE, Version: "30.1.2", Signature: signed(signing.StatusValid, "CN=Vendor")}},
		Files: []File{
			{Path: "ffmpeg.dll", SHA256: "f1", Component: "electron", Version: "30.1.2"},
			{Path: "icudtl.dat", SHA256: "i1", Component: "electron", Version: "30.1.2"},
		},
	}
}

// renameIn renames path from to to in inv's binaries and files, with new
// content sha when not empty, keeping them sorted.
func renameIn(inv *Inventory, from, to, sha string) {
	for i := range inv.Binaries {
		if b := &inv.Binaries[i]; b.Path == from {
			b.Path = to
			if sha != "" {
				b.SHA256 = sha
			}
		}
	}
	for i := range inv.Files {
		if f := &inv.Files[i]; f.Path == from {
			f.Path = to
			if sha != "" {
				f.SHA256 = sha
			}
		}
	}
	sortInventory(inv)
}

func sortInventory(inv *Inventory) {
	slices.SortFunc(inv.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}

// TestAttackRuntimeFileRenamedByCase: ffmpeg.dll replaced by FFmpeg.dll
// (one file on Windows) with other bytes under the same Electron version
// was one binary removed and one added (a warning about new native code);
// icudtl.dat → ICUDTL.dat with other bytes was not reported at all. Both
// are the runtime's files changed without a version change: errors.
func TestAttackRuntimeFileRenamedByCase(t *testing.T) {
	t.Parallel()
	n := caseBase()
	renameIn(n, "ffmpeg.dll", "FFmpeg.dll", "f2")
	renameIn(n, "icudtl.dat", "ICUDTL.dat", "i2")
	d := Diff(caseBase(), n)
	got := strings.Join(findingKeys(d.Findings), "\n")
	want := "error diff/changed-same-version FFmpeg.dll\nerror diff/changed-same-version ICUDTL.dat"
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "FFmpeg.dll" || d.Binaries[0].Change != report.ChangeChanged {
		t.Errorf("binaries %+v, want FFmpeg.dll changed", d.Binaries)
	}
	for _, f := range d.Files {
		if f.Change != report.ChangeChanged {
			t.Errorf("file %s %s, want changed", f.Path, f.Change)
		}
	}
}

// TestRuntimeFileRenamedByCaseSameBytes: a rename by case alone, bytes
// kept, is no change; a case rename that does not pair one to one (both
// spellings in the new release) is left as added and removed.
func TestRuntimeFileRenamedByCaseSameBytes(t *testing.T) {
	t.Parallel()
	n := caseBase()
	renameIn(n, "ffmpeg.dll", "FFmpeg.dll", "")
	d := Diff(caseBase(), n)
	if len(d.Findings) != 0 || len(d.Binaries) != 0 || len(d.Files) != 0 {
		t.Errorf("findings %v, binaries %+v, files %+v; want none", findingKeys(d.Findings), d.Binaries, d.Files)
	}
	n = caseBase()
	n.Files = append(n.Files, File{Path: "ICUDTL.dat", SHA256: "i2", Component: "electron", Version: "30.1.2"}, File{Path: "Icudtl.dat", SHA256: "i3", Component: "electron", Version: "30.1.2"})
	n.Files = []File{n.Files[0], n.Files[2], n.Files[3]}
	sortInventory(n)
	d = Diff(caseBase(), n)
	changes := map[string]string{}
	for _, f := range d.Files {
		changes[f.Path] = f.Change
	}
	if changes["ICUDTL.dat"] != report.ChangeAdded || changes["Icudtl.dat"] != report.ChangeAdded || changes["icudtl.dat"] != report.ChangeRemoved {
		t.Errorf("files %+v", d.Files)
	}
}

// TestAttackRuntimeFileRenamedBySpelling: the other spellings a file
// system takes for one name: on Windows, ffmpeg.dll. (Win32 drops the
// trailing dot); on macOS, an NFD spelling of an NFC name (APFS matches
// them). Each, with other bytes, is the runtime's file changed.
func TestAttackRuntimeFileRenamedBySpelling(t *testing.T) {
	t.Parallel()
	n := caseBase()
	renameIn(n, "ffmpeg.dll", "ffmpeg.dll.", "f2")
	if got := strings.Join(findingKeys(Diff(caseBase(), n).Findings), "\n"); got != "error diff/changed-same-version ffmpeg.dll." {
		t.Errorf("windows trailing dot: findings:\n%s", got)
	}
	mac := func() *Inventory {
		inv := caseBase()
		inv.Layout = LayoutMacOS
		inv.Binaries = nil
		inv.Files[0].Path = "Contents/Frameworks/caf\u00e9.dylib"
		return inv
	}
	n = mac()
	renameIn(n, "Contents/Frameworks/caf\u00e9.dylib", "Contents/Frameworks/cafe\u0301.dylib", "f2")
	if got := strings.Join(findingKeys(Diff(mac(), n).Findings), "\n"); got != "error diff/changed-same-version Contents/Frameworks/cafe\u0301.dylib" {
		t.Errorf("macOS NFD: findings:\n%s", got)
	}
}
