package sbom

import (
	"strings"
	"testing"
)

// frameworkRelease is a macOS release whose Electron Framework (the binary
// with the fuse wire) is at Versions/<v>, with wire.
func frameworkRelease(v, wire string) *Inventory {
	const fw = "Contents/Frameworks/Electron Framework.framework/Versions/"
	p := fw + v + "/Electron Framework"
	return &Inventory{
		Layout:   LayoutMacOS,
		App:      App{Name: "a", Version: "1.0.0", Digest: "d1"},
		Electron: Electron{Version: "30.1.2", Fuses: []FuseWire{{Path: p, Arch: "arm64", Version: 1, Wire: wire}}},
		Binaries: []Binary{{Path: p, SHA256: "fw-" + wire, Kind: KindMachO, Arch: []string{"arm64"}}},
		Files:    []File{{Path: p, SHA256: "fw-" + wire, Component: "electron", Version: "30.1.2"}},
	}
}

// TestAttackFuseWireInSecondFrameworkVersion: a macOS framework is loaded
// through its Versions/Current link. A release that keeps Versions/A as it
// was and adds Versions/B (Current relinked to it) with RunAsNode turned
// on had its new wire compared with nothing: a wire at a new path was held
// to an old one only when the old binary was gone, and Versions/A is
// still there. Only a warning about new native code was left.
func TestAttackFuseWireInSecondFrameworkVersion(t *testing.T) {
	t.Parallel()
	old := frameworkRelease("A", "010011001")
	n := frameworkRelease("A", "010011001")
	b := frameworkRelease("B", "110011001")
	n.Electron.Fuses = append(n.Electron.Fuses, b.Electron.Fuses...)
	n.Binaries = append(n.Binaries, b.Binaries...)
	n.Files = append(n.Files, b.Files...)
	d := Diff(old, n)
	got := strings.Join(findingKeys(d.Findings), "\n")
	if !strings.Contains(got, "error diff/fuse-weakened Contents/Frameworks/Electron Framework.framework/Versions/B/Electron Framework") {
		t.Errorf("findings:\n%s\nwant fuse-weakened on Versions/B", got)
	}
}

// TestFuseWireSecondBinarySameFuses: a new binary carrying the old wire
// unchanged is no fuse finding.
func TestFuseWireSecondBinarySameFuses(t *testing.T) {
	t.Parallel()
	old := frameworkRelease("A", "010011001")
	n := frameworkRelease("A", "010011001")
	b := frameworkRelease("B", "010011001")
	n.Electron.Fuses = append(n.Electron.Fuses, b.Electron.Fuses...)
	n.Binaries = append(n.Binaries, b.Binaries...)
	n.Files = append(n.Files, b.Files...)
	for _, f := range Diff(old, n).Findings {
		if f.Rule == RuleFuseWeakened {
			t.Errorf("unexpected %s %s", f.Rule, f.Message)
		}
	}
}
