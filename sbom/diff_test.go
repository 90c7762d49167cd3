package sbom

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

func signed(status signing.Status, subject string) *SignatureSummary {
	s := &SignatureSummary{Status: status}
	if subject != "" {
		s.Signer = &Signer{Subject: subject, Issuer: "CN=CA", Serial: subject, SHA256: subject}
	}
	return s
}

// TestDiffRules checks each rule on small inventories: one change each.
func TestDiffRules(t *testing.T) {
	t.Parallel()
	base := func() *Inventory {
		inv := &Inventory{
			Layout:   LayoutWindows,
			App:      App{Name: "a", Version: "1.0.0", Digest: "d1"},
			Electron: Electron{Version: "30.1.2", Fuses: []FuseWire{{Path: "a.exe", Arch: "x86_64", Wire: "010011001"}}},
			Packages: []Package{{Name: "p", Version: "1.0.0", Path: "resources/app.asar/node_modules/p", Digest: "x"}},
			Binaries: []Binary{{Path: "lib.dll", SHA256: "s1", Kind: KindPE, Version: "30.1.2", Signature: signed(signing.StatusValid, "CN=Vendor")}},
			Files:    []File{{Path: "lib.dll", SHA256: "s1", Component: "electron", Version: "30.1.2"}, {Path: "icudtl.dat", SHA256: "i1", Component: "electron", Version: "30.1.2"}},
		}
		inv.Binaries[0].Signature.Digest = "cd"
		return inv
	}
	cases := []struct {
		name   string
		change func(n *Inventory)
		want   string
	}{
		{"nothing", func(n *Inventory) {}, ""},
		{"electron update", func(n *Inventory) { n.Electron.Version = "31.0.0" }, "note diff/electron-version "},
		{"runtime data file", func(n *Inventory) { n.Files[1].SHA256 = "i2" }, "error diff/changed-same-version icudtl.dat"},
		{"runtime data file with electron update", func(n *Inventory) {
			n.Files[1].SHA256, n.Files[1].Version, n.Electron.Version = "i2", "31.0.0", "31.0.0"
		}, "note diff/electron-version "},
		{"app code same version", func(n *Inventory) { n.App.Digest = "d2"; n.App.Asar = "resources/app.asar" }, "error diff/changed-same-version resources/app.asar"},
		{"app code new version", func(n *Inventory) { n.App.Digest, n.App.Version = "d2", "1.0.1" }, ""},
		{"signature downgraded", func(n *Inventory) { n.Binaries[0].Signature = signed(signing.StatusInvalid, "CN=Vendor") },
			"error diff/signature-downgraded lib.dll"},
		{"signer renewed with a new version", func(n *Inventory) {
			n.Binaries[0].SHA256, n.Binaries[0].Version, n.Binaries[0].Signature = "s2", "30.1.3", signed(signing.StatusValid, "CN=Vendor 2025")
			n.Files[0].SHA256 = "s2"
		}, "warning diff/changed-same-version lib.dll\nwarning diff/signer-changed lib.dll"},
		{"signature removed", func(n *Inventory) {
			n.Binaries[0].SHA256, n.Binaries[0].Signature = "s2", signed(signing.StatusUnsigned, "")
			n.Files[0].SHA256 = "s2"
		}, "error diff/changed-same-version lib.dll\nerror diff/signature-downgraded lib.dll\nerror diff/signer-changed lib.dll"},
		{"re-signed", func(n *Inventory) {
			n.Binaries[0].SHA256, n.Files[0].SHA256 = "s2", "s2"
			o := base()
			o.Binaries[0].Signature.Digest = "cd"
			*n.Binaries[0].Signature = *o.Binaries[0].Signature
		}, "warning diff/changed-same-version lib.dll"},
		{"fuse strengthened", func(n *Inventory) { n.Electron.Fuses[0].Wire = "010011000" }, ""},
		{"fuse weakened", func(n *Inventory) { n.Electron.Fuses[0].Wire = "010001001" }, "error diff/fuse-weakened a.exe"},
		{"package removed", func(n *Inventory) { n.Packages, n.App.Version = nil, "1.0.1" }, "note diff/package-removed resources/app.asar/node_modules/p"},
		// Under the same application version, its dependents now load
		// another copy (TestAttackPackageRemovedSameAppVersion).
		{"package removed, app version kept", func(n *Inventory) { n.Packages = nil },
			"error diff/changed-same-version resources/app.asar/node_modules/p\nnote diff/package-removed resources/app.asar/node_modules/p"},
		{"install script", func(n *Inventory) { n.Packages[0].Scripts = []Script{{"postinstall", "x"}}; n.Packages[0].Digest = "y" },
			"error diff/changed-same-version resources/app.asar/node_modules/p\nwarning diff/install-script resources/app.asar/node_modules/p"},
		{"layout", func(n *Inventory) { n.Layout = LayoutMacOS }, "warning diff/layout-changed "},
		{"signatures not examined", func(n *Inventory) { n.Binaries[0].Signature = nil }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := base()
			c.change(n)
			got := strings.Join(findingKeys(Diff(base(), n).Findings), "\n")
			if got != c.want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestDiffAppWithoutVersion: two folders of files that declare no version
// (no package.json) and whose code changed still fail as
// diff/changed-same-version, but the message says no version is declared
// rather than that one "stayed the same".
func TestDiffAppWithoutVersion(t *testing.T) {
	t.Parallel()
	old := &Inventory{App: App{Digest: "d1"}}
	nw := &Inventory{App: App{Digest: "d2"}}
	fs := Diff(old, nw).Findings
	if len(fs) != 1 || fs[0].Rule != RuleChangedSameVersion || fs[0].Severity != signing.SeverityError ||
		!strings.Contains(fs[0].Message, "neither release declares its version") || strings.Contains(fs[0].Message, "stayed the same") {
		t.Errorf("findings %+v", fs)
	}
	nw.App.Version = "1.0.0"
	if fs := Diff(old, nw).Findings; len(fs) != 1 || !strings.Contains(fs[0].Message, "stayed (none) → 1.0.0") {
		t.Errorf("a version only in the new release: %+v", fs)
	}
}

// TestDiffReleasesVersionFromNamesLegitimate: two plain releases that
// declare no version inside, published as proj-1.0.0 and proj-1.1.0, take
// their versions from their names, so their changed code is explained; the
// same code change between names that carry the same version, or that
// differ elsewhere, is still changed code without a version change.
func TestDiffReleasesVersionFromNamesLegitimate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mk := func(name, code string) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "main.js"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := mk("proj-1.0.0", "console.log(1)\n")
	for _, c := range []struct {
		name string
		pass bool
	}{
		{"proj-1.1.0", true},
		{"proj-1.0.0-rebuilt", false}, // the same version in both names
		{"other-1.1.0", false},        // another name
		{"proj-2.0.0-1.1", false},     // two version numbers
	} {
		r, err := DiffReleases(context.Background(), old, mk(c.name, "console.log(2)\n"), DiffOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var same []signing.Finding
		for _, f := range r.Findings {
			if f.Rule == RuleChangedSameVersion {
				same = append(same, f)
			}
		}
		if c.pass != (len(same) == 0) {
			t.Errorf("%s: changed-same-version findings %+v", c.name, same)
		}
		if app := r.Diff.ReleaseDiff.App; c.pass && (app.Old != "1.0.0" || app.New != "1.1.0") {
			t.Errorf("%s: app versions %+v", c.name, app)
		}
	}
}
