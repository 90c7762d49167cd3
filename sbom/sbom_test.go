package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// fixtureTrust trusts the fixture root; made once per test binary (the
// fixture PKI signs its certificates when made).
var fixtureTrust = sync.OnceValues(func() (*signing.TrustStore, error) {
	pki := electronfix.NewPKI()
	return signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{pki.Root.PEM()}})
})

// fixtureSignatures verifies PE files with signing/authenticode and trusts
// the fixture root; other kinds are left unexamined.
func fixtureSignatures(t testing.TB) func(io.ReaderAt, int64, string) ([]signing.Signature, error) {
	trust, err := fixtureTrust()
	if err != nil {
		t.Fatal(err)
	}
	return func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error) {
		if kind != KindPE {
			return nil, nil
		}
		res, err := authenticode.Verify(r, size, authenticode.Options{Trust: trust})
		if errors.Is(err, authenticode.ErrNotPE) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return res.Signatures, nil
	}
}

func writeRelease(t testing.TB, dir string, gen func(electronfix.Spec) (*electronfix.Release, error), s electronfix.Spec) string {
	t.Helper()
	r, err := gen(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openRelease(t testing.TB, p string) *Inventory {
	t.Helper()
	inv, err := Open(p, Options{Signatures: fixtureSignatures(t)})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func findingKeys(fs []signing.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+string(f.Rule)+" "+f.Path)
	}
	sort.Strings(out)
	return out
}

func TestDiffFlagsExactlyThePlantedChanges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		gen  func(electronfix.Spec) (*electronfix.Release, error)
		want []string
	}{
		{"windows", electronfix.Windows, []string{
			"error diff/changed-same-version d3dcompiler_47.dll",
			"error diff/changed-same-version ffmpeg.dll",
			"error diff/changed-same-version resources/app.asar/node_modules/tinycolor",
			"error diff/fuse-weakened Chatterbox.exe",
			"error diff/signature-downgraded d3dcompiler_47.dll",
			"error diff/signer-changed ffmpeg.dll",
			"note diff/package-added resources/app.asar/node_modules/keytar-lite",
			"note diff/package-updated resources/app.asar/node_modules/@chatter/ui",
			"warning diff/install-script resources/app.asar/node_modules/keytar-lite",
			"warning diff/new-native-code resources/app.asar.unpacked/node_modules/keytar-lite/build/Release/keytar.node",
		}},
		{"macos", electronfix.MacOS, []string{
			"error diff/changed-same-version Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework",
			"error diff/changed-same-version Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib",
			"error diff/changed-same-version Contents/Resources/app.asar/node_modules/tinycolor",
			"error diff/fuse-weakened Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework",
			"error diff/fuse-weakened Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework",
			"note diff/package-added Contents/Resources/app.asar/node_modules/keytar-lite",
			"note diff/package-updated Contents/Resources/app.asar/node_modules/@chatter/ui",
			"warning diff/install-script Contents/Resources/app.asar/node_modules/keytar-lite",
			"warning diff/new-native-code Contents/Resources/app.asar.unpacked/node_modules/keytar-lite/build/Release/keytar.node",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			oldInv := openRelease(t, writeRelease(t, filepath.Join(dir, "old"), c.gen, electronfix.Clean()))
			newInv := openRelease(t, writeRelease(t, filepath.Join(dir, "new"), c.gen, electronfix.Trojanized()))
			for _, inv := range []*Inventory{oldInv, newInv} {
				if len(inv.Findings) != 0 {
					t.Errorf("inventory findings: %v", findingKeys(inv.Findings))
				}
			}
			d := Diff(oldInv, newInv)
			got := findingKeys(d.Findings)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
				for _, f := range d.Findings {
					t.Log(f.Rule, f.Path, f.Message)
				}
			}
			// The same release diffs clean.
			if again := Diff(oldInv, openRelease(t, filepath.Join(dir, "old", filepath.Base(writeReleaseName(c.name))))); len(again.Findings) != 0 {
				t.Errorf("identical releases: %v", findingKeys(again.Findings))
			}
		})
	}
}

func writeReleaseName(layout string) string {
	if layout == "macos" {
		return electronfix.AppName + ".app"
	}
	return electronfix.AppName + "-win32-x64"
}

func TestInventoryWindows(t *testing.T) {
	t.Parallel()
	p := writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Clean())
	inv := openRelease(t, p)
	if inv.Layout != LayoutWindows || inv.Electron.Version != "30.1.2" || inv.Electron.VersionSource != "version file" {
		t.Errorf("electron = %+v", inv.Electron)
	}
	if inv.App.Name != "chatterbox" || inv.App.Version != "1.4.0" {
		t.Errorf("app = %+v", inv.App)
	}
	if len(inv.Packages) != 25 {
		t.Errorf("%d packages, want 25", len(inv.Packages))
	}
	if !inv.Electron.IntegrityEnforced || len(inv.Electron.Integrity) != 1 || !inv.Electron.Integrity[0].Match {
		t.Errorf("integrity = %+v enforced=%v", inv.Electron.Integrity, inv.Electron.IntegrityEnforced)
	}
	if len(inv.Electron.Fuses) != 1 || inv.Electron.Fuses[0].Wire != "010011001" || inv.Electron.Fuses[0].Path != "Chatterbox.exe" {
		t.Errorf("fuses = %+v", inv.Electron.Fuses)
	}
	bins := map[string]Binary{}
	for _, b := range inv.Binaries {
		bins[b.Path] = b
	}
	exe := bins["Chatterbox.exe"]
	if exe.Kind != KindPE || exe.FileVersion != "1.4.0.0" || exe.ProductVersion != "1.4.0.0" || exe.Arch[0] != "x86_64" {
		t.Errorf("exe = %+v", exe)
	}
	if exe.Signature == nil || exe.Signature.Status != signing.StatusValid || exe.Signature.Signer == nil || exe.Signature.Signer.Subject != "CN=Chatterbox Ltd,O=Chatterbox Ltd" {
		t.Errorf("exe signature = %+v", exe.Signature)
	}
	if ff := bins["ffmpeg.dll"]; ff.Signature == nil || ff.Signature.Status != signing.StatusUnsigned || ff.Version != "30.1.2" {
		t.Errorf("ffmpeg = %+v", ff)
	}
	node := bins["resources/app.asar.unpacked/node_modules/fastsql/build/Release/fastsql.node"]
	if !node.NodeAddon || node.Package != "resources/app.asar/node_modules/fastsql" || node.Version != "5.1.6" {
		t.Errorf("fastsql.node = %+v", node)
	}
	var scoped *Package
	for i := range inv.Packages {
		if inv.Packages[i].Name == "@chatter/ui" {
			scoped = &inv.Packages[i]
		}
	}
	if scoped == nil || scoped.Path != "resources/app.asar/node_modules/@chatter/ui" || scoped.Files != 4 || scoped.LockVersion != "3.2.0" ||
		strings.Join(scoped.Dependencies, ",") != "@chatter/icons,tinycolor" {
		t.Errorf("@chatter/ui = %+v", scoped)
	}
	// Deterministic JSON.
	a, _ := json.Marshal(inv)
	b, _ := json.Marshal(openRelease(t, p))
	if string(a) != string(b) {
		t.Error("inventory JSON differs between two runs")
	}
}

func TestIntegrityMismatchAndNotEnforced(t *testing.T) {
	t.Parallel()
	for _, gen := range []func(electronfix.Spec) (*electronfix.Release, error){electronfix.Windows, electronfix.MacOS} {
		s := electronfix.Clean()
		s.TamperAsar = true
		inv := openRelease(t, writeRelease(t, t.TempDir(), gen, s))
		got := findingKeys(inv.Findings)
		if len(got) != 1 || !strings.Contains(got[0], "error electron/asar-integrity-mismatch") {
			t.Errorf("%s tampered: %v", inv.Layout, got)
		}
		s = electronfix.Clean()
		s.DisableIntegrityFuse = true
		inv = openRelease(t, writeRelease(t, t.TempDir(), gen, s))
		got = findingKeys(inv.Findings)
		if len(got) != 1 || !strings.Contains(got[0], "warning electron/asar-integrity-not-enforced") {
			t.Errorf("%s fuse off: %v", inv.Layout, got)
		}
	}
}

func TestOpenBareAsar(t *testing.T) {
	t.Parallel()
	r, _ := electronfix.Windows(electronfix.Clean())
	dir := t.TempDir()
	p := filepath.Join(dir, "app.asar")
	os.WriteFile(p, r.Files["resources/app.asar"], 0o644)
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Layout != LayoutAsar || len(inv.Packages) != 25 || inv.App.Version != "1.4.0" {
		t.Errorf("layout %s, %d packages, app %+v", inv.Layout, len(inv.Packages), inv.App)
	}
}

func TestPackageJSONProblems(t *testing.T) {
	t.Parallel()
	arc, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"x","version":"1.0.0","dependencies":{"a":"1"}}`)},
		{Path: "package-lock.json", Data: []byte(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.1"},"node_modules/a/node_modules/@s/b":{"version":"2.0.0"},"node_modules/broken":{}}}`)},
		{Path: "node_modules/a/package.json", Data: []byte(`{"name":"a","version":"1.0.0","license":{"type":"MIT"},"scripts":{"postinstall":"node x.js","test":"jest"}}`)},
		{Path: "node_modules/a/node_modules/@s/b/package.json", Data: []byte(`{"name":"@s/b","version":"2.0.0"}`)},
		{Path: "node_modules/a/node_modules/@s/b/index.js", Data: []byte(`1`)},
		{Path: "node_modules/broken/package.json", Data: []byte(`{"name":`)},
	})
	p := filepath.Join(t.TempDir(), "app.asar")
	os.WriteFile(p, arc, 0o644)
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := findingKeys(inv.Findings)
	want := []string{
		"warning electron/lockfile-mismatch app.asar/node_modules/a",
		"warning electron/package-json-invalid app.asar/node_modules/broken/package.json",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
	// The package whose package.json does not parse is still its folder's
	// package, named after the folder, with no version.
	if len(inv.Packages) != 3 {
		t.Fatalf("packages: %+v", inv.Packages)
	}
	a, b, broken := inv.Packages[0], inv.Packages[1], inv.Packages[2]
	if broken.Name != "broken" || broken.Version != "" || broken.Path != "app.asar/node_modules/broken" || broken.Files != 1 {
		t.Errorf("broken = %+v", broken)
	}
	if a.Name != "a" || a.License != "MIT" || len(a.Scripts) != 1 || a.Scripts[0].Name != "postinstall" || a.Files != 1 || a.LockVersion != "1.0.1" {
		t.Errorf("a = %+v", a)
	}
	if b.Name != "@s/b" || b.Path != "app.asar/node_modules/a/node_modules/@s/b" || b.Files != 2 {
		t.Errorf("@s/b = %+v", b)
	}
}

func TestVersionFromBinaryAndAppFolder(t *testing.T) {
	t.Parallel()
	r, err := electronfix.Windows(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	delete(r.Files, "version")
	// Unpack the archive into resources/app, as a release without asar has it.
	delete(r.Files, "resources/app.asar")
	for p := range r.Files {
		if strings.HasPrefix(p, "resources/app.asar.unpacked/") {
			delete(r.Files, p)
		}
	}
	r.Files["resources/app/package.json"] = []byte(`{"name":"chatterbox","version":"1.4.0","dependencies":{"left":"1"}}`)
	r.Files["resources/app/node_modules/left/package.json"] = []byte(`{"name":"left","version":"1.0.0"}`)
	r.Files["resources/app/node_modules/left/index.js"] = []byte(`1`)
	p, err := r.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv := openRelease(t, p)
	if inv.Electron.Version != "30.1.2" || inv.Electron.VersionSource != "binary string" {
		t.Errorf("electron = %s from %s", inv.Electron.Version, inv.Electron.VersionSource)
	}
	if inv.App.Dir != "resources/app" || inv.App.Version != "1.4.0" || len(inv.Packages) != 1 || inv.Packages[0].Path != "resources/app/node_modules/left" {
		t.Errorf("app = %+v, packages = %+v", inv.App, inv.Packages)
	}
	// The integrity claim names an archive that is not there, and a folder
	// cannot be validated.
	if got := findingKeys(inv.Findings); len(got) != 2 || !strings.Contains(got[0], "error electron/asar-integrity-mismatch resources/app.asar") ||
		got[1] != "warning electron/asar-integrity-not-enforced resources/app" {
		t.Errorf("findings = %v", got)
	}
}

func TestAsarFileTampered(t *testing.T) {
	t.Parallel()
	r, err := electronfix.Windows(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	arc := r.Files["resources/app.asar"]
	ar, err := asar.NewReader(bytes.NewReader(arc), int64(len(arc)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ar.Entry("main.js")
	if err != nil {
		t.Fatal(err)
	}
	arc[ar.DataOffset()+e.Offset] ^= 0x20 // header (and its hash) untouched
	inv := openRelease(t, writeReleaseFrom(t, r))
	got := findingKeys(inv.Findings)
	if len(got) != 1 || got[0] != "error asar/integrity-mismatch resources/app.asar/main.js" {
		t.Errorf("findings = %v", got)
	}
}

// TestAsarTrailingDataInInventory: bytes appended to app.asar are an
// inventory finding about the archive itself, in a release and in a bare
// app.asar.
func TestAsarTrailingDataInInventory(t *testing.T) {
	t.Parallel()
	r, err := electronfix.Windows(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	r.Files["resources/app.asar"] = append(bytes.Clone(r.Files["resources/app.asar"]), bytes.Repeat([]byte("payload!"), 100)...)
	dir := writeReleaseFrom(t, r)
	got := findingKeys(openRelease(t, dir).Findings)
	if len(got) != 1 || got[0] != "error asar/unowned-data resources/app.asar" {
		t.Errorf("release findings = %v", got)
	}
	inv, err := Open(filepath.Join(dir, "resources", "app.asar"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingKeys(inv.Findings); len(got) != 1 || got[0] != "error asar/unowned-data app.asar" {
		t.Errorf("bare asar findings = %v", got)
	}
}

func writeReleaseFrom(t *testing.T, r *electronfix.Release) string {
	t.Helper()
	p, err := r.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
